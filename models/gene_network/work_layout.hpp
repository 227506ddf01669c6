#pragma once
// How a generation's work is cut: slabs of S individuals (a slab's levels, G x S, stay in L2
// while it is expressed, scored, mutated and measured) grouped into tasks handed to threads.
// The cut depends on (N, G, value size) only, never on the thread count, so per-task partial
// results combine to the same bits on any number of threads.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cohort/engine/world.hpp"

namespace cohort::models::gene_network {

/// A run of consecutive individuals processed together.
struct Slab {
  std::size_t first = 0;  ///< first individual (column)
  std::size_t count = 0;  ///< individuals in the slab
  std::size_t width = 0;  ///< count rounded up to whole lines (columns computed)
};

/// Slab and task sizes of a population.
class WorkLayout {
 public:
  /// Target bytes of one slab's levels: ~100 KB keeps a slab and its sources in L2.
  static constexpr std::size_t kSlabBytes = 96 * 1024;
  /// At most this many tasks (the per-task partial moments stay small); at least 2 per thread for
  /// 5,000 individuals. The engine's 4096-row blocks would split 5,000 as 4096 + 904: one thread
  /// would do 82% of the work.
  static constexpr std::size_t kMaxTasks = 256;

  WorkLayout() = default;
  WorkLayout(std::size_t individuals, std::uint32_t genes, std::size_t value_bytes,
             std::size_t line_values)
      : individuals_(individuals) {
    std::size_t s = line_values;
    while (s < 1024 && 2 * s * genes * value_bytes <= kSlabBytes)
      s *= 2;
    slab_ = s;
    const std::size_t slabs = (individuals + s - 1) / s;
    slabs_per_task_ = std::max<std::size_t>(1, (slabs + kMaxTasks - 1) / kMaxTasks);
    tasks_ = (slabs + slabs_per_task_ - 1) / slabs_per_task_;
    line_values_ = line_values;
  }

  std::size_t slab_size() const { return slab_; }
  std::size_t tasks() const { return tasks_; }

  /// Calls fn(slab) for each slab of task `task`, in order.
  template <class Fn>
  void for_each_slab(std::size_t task, Fn&& fn) const {
    const std::size_t begin = task * slabs_per_task_ * slab_;
    const std::size_t end = std::min(individuals_, begin + slabs_per_task_ * slab_);
    for (std::size_t first = begin; first < end; first += slab_) {
      const std::size_t count = std::min(slab_, end - first);
      fn(Slab{first, count, (count + line_values_ - 1) / line_values_ * line_values_});
    }
  }

  /// Runs fn(task, thread) for every task on the world's threads.
  template <class Fn>
  void run(engine::World& world, Fn&& fn) const {
    world.run_tasks(tasks_, [&](std::size_t task, std::size_t thread) { fn(task, thread); });
  }

 private:
  std::size_t individuals_ = 0;
  std::size_t slab_ = 16;
  std::size_t slabs_per_task_ = 1;
  std::size_t tasks_ = 0;
  std::size_t line_values_ = 8;
};

}  // namespace cohort::models::gene_network
