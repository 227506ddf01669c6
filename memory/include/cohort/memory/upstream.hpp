#pragma once
// The system allocator beneath the pools, with a fault-injection hook for tests.

#include <cstddef>
#include <cstdint>

namespace cohort::memory {

/// Where pools get their blocks and large requests their memory: nothrow operator new, so ASan
/// and valgrind see every block. Returns nullptr on failure instead of throwing.
/// Satisfies Boost.Pool's UserAllocator concept (static malloc/free).
struct Upstream {
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;

  static char* malloc(size_type bytes);
  static void free(char* block);
};

/// Makes upstream allocations fail on purpose, for testing the failure paths.
/// Scoped and per thread: while an instance lives, the calling thread's upstream requests are
/// counted and requests number `fail_at` .. `fail_at + fail_count - 1` (1-based) return nullptr.
class UpstreamFaultInjector {
 public:
  UpstreamFaultInjector(std::uint64_t fail_at, std::uint64_t fail_count = 1);
  ~UpstreamFaultInjector();
  UpstreamFaultInjector(const UpstreamFaultInjector&) = delete;
  UpstreamFaultInjector& operator=(const UpstreamFaultInjector&) = delete;

  /// Upstream requests seen on this thread since construction.
  std::uint64_t requests() const { return requests_; }
  /// Requests that were made to fail.
  std::uint64_t failures() const { return failures_; }

 private:
  friend struct Upstream;
  bool should_fail();

  std::uint64_t fail_at_;
  std::uint64_t fail_count_;
  std::uint64_t requests_ = 0;
  std::uint64_t failures_ = 0;
  UpstreamFaultInjector* previous_;
};

}  // namespace cohort::memory
