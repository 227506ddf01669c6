#pragma once
// How the space spreads its builds over threads without depending on a World: a callable with
// World::run_tasks' contract. Work is always split into a fixed number of tasks that does not
// depend on the thread count, so every build is identical on any number of threads.

#include <cstddef>
#include <functional>

namespace cohort::engine {
class World;
}

namespace cohort::space {

/// fn(task, thread) for one task.
using TaskFn = std::function<void(std::size_t task, std::size_t thread)>;

/// Runs numbered tasks, possibly in parallel; `threads` bounds the `thread` argument.
struct TaskRunner {
  std::function<void(std::size_t tasks, const TaskFn& fn)> run;  ///< empty: serial on the caller
  std::size_t threads = 1;

  /// Calls fn(task, thread) for every task in [0, tasks) and returns when all are done.
  void operator()(std::size_t tasks, const TaskFn& fn) const {
    if (run) {
      run(tasks, fn);
      return;
    }
    for (std::size_t t = 0; t < tasks; ++t)
      fn(t, 0);
  }
  /// Everything on the calling thread.
  static TaskRunner serial() { return {}; }
  /// The world's worker threads (World::run_tasks).
  static TaskRunner of(engine::World& world);
};

}  // namespace cohort::space
