#pragma once
// A fixed set of threads running numbered tasks, each taken by whichever thread is free next.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cohort::engine {

/// Runs `tasks` numbered tasks on a fixed number of threads, the calling thread being thread 0.
/// Each thread first works through its own contiguous share of the tasks, so a task's data stays
/// in the same core's caches from one step to the next (on this project's 2-vCPU machines the
/// cores may not share a last-level cache, and handing blocks out round-robin halved the rate of a
/// streaming update). A thread that finishes its share takes the next unstarted tasks of the
/// others, so uneven tasks and a thread the machine preempts do not leave the others idle. Which
/// thread runs a task therefore depends on timing: callers keep results per task (block), never per
/// thread, and use the thread index only to pick scratch memory. The first exception thrown by a
/// task is rethrown to the caller after all threads finish.
class WorkerPool {
 public:
  /// `threads` = 0 means the machine's hardware threads.
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }

  /// Calls fn(task, thread) for task in [0, tasks); returns when all are done.
  void run(std::size_t tasks, const std::function<void(std::size_t task, std::size_t thread)>& fn);

 private:
  void worker_main(std::size_t thread);
  void run_range(std::size_t thread);

  /// The next unstarted task of one thread's share, alone on its cache line.
  struct alignas(64) Share {
    std::atomic<std::size_t> next{0};
    std::size_t end = 0;
  };

  std::vector<std::thread> workers_;
  std::unique_ptr<Share[]> shares_;  // one per thread
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(std::size_t, std::size_t)>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  std::size_t pending_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace cohort::engine
