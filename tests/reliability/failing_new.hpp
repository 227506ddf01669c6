#pragma once
// A replacement of the global operator new for the allocation sweep (failing_new.cpp): while
// armed on this thread, it counts the thread's allocations and throws std::bad_alloc at the Nth.
// Off by default, so doctest and everything outside an armed scope allocate normally.

#include <cstdint>

namespace cohort::testing {

/// Arms the failing operator new on the calling thread for its lifetime: allocation number
/// `fail_at` (1-based; 0 = never) throws std::bad_alloc (or returns nullptr for nothrow new).
/// Other threads are never counted (the sweep runs models with threads: 1, so the engine starts
/// no worker thread).
class FailingNew {
 public:
  explicit FailingNew(std::uint64_t fail_at);
  ~FailingNew();
  FailingNew(const FailingNew&) = delete;
  FailingNew& operator=(const FailingNew&) = delete;

  /// Allocations counted on this thread while armed (including the failed one).
  static std::uint64_t count();
  /// Whether the Nth allocation was reached and failed.
  static bool failed();
  /// Stops counting for the caller's scope (the checks between the phases of a run).
  class Pause {
   public:
    Pause();
    ~Pause();
    Pause(const Pause&) = delete;
    Pause& operator=(const Pause&) = delete;

   private:
    bool was_armed_;
  };
};

}  // namespace cohort::testing
