#include "cohort/engine/worker_pool.hpp"

namespace cohort::engine {

WorkerPool::WorkerPool(std::size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  shares_ = std::make_unique<Share[]>(threads);
  workers_.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t)
    workers_.emplace_back([this, t] { worker_main(t); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (std::thread& w : workers_)
    w.join();
}

void WorkerPool::run_range(std::size_t thread) {
  const std::size_t threads = size();
  try {
    for (std::size_t k = 0; k < threads; ++k) {  // own share first, then the others' in turn
      Share& share = shares_[(thread + k) % threads];
      for (std::size_t task = share.next.fetch_add(1, std::memory_order_relaxed); task < share.end;
           task = share.next.fetch_add(1, std::memory_order_relaxed))
        (*job_)(task, thread);
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void WorkerPool::worker_main(std::size_t thread) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_range(thread);
    {
      std::lock_guard lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void WorkerPool::run(std::size_t tasks, const std::function<void(std::size_t, std::size_t)>& fn) {
  if (workers_.empty() || tasks <= 1) {
    for (std::size_t task = 0; task < tasks; ++task)
      fn(task, 0);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    job_ = &fn;
    const std::size_t threads = size();
    for (std::size_t t = 0; t < threads; ++t) {
      shares_[t].next.store(t * tasks / threads, std::memory_order_relaxed);
      shares_[t].end = (t + 1) * tasks / threads;
    }
    pending_ = workers_.size();
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  run_range(0);
  std::exception_ptr error;
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace cohort::engine
