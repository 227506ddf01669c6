#pragma once
// The world: populations, the memory accountant, the worker threads and the step schedule.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/population.hpp"
#include "cohort/engine/system.hpp"
#include "cohort/engine/worker_pool.hpp"
#include "cohort/memory/accountant.hpp"

namespace cohort::engine {

/// Rows per block. Fixed (not derived from the thread count) so that per-block results, and
/// reductions combined in block order, are identical on any number of threads.
inline constexpr Row kBlockRows = 4096;

/// How a world is set up.
struct WorldOptions {
  std::uint64_t seed = 42;
  std::size_t threads = 0;  ///< 0 = the machine's hardware threads
  memory::PoolMode pool_mode = memory::default_pool_mode();
};

/// Holds everything a simulation is made of and runs its steps. Systems run in phase order and,
/// within a phase, in the order they were added. At each phase end deferred births and deaths are
/// applied and memory is settled.
class World {
 public:
  explicit World(WorldOptions options = {});
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const { return seed_; }
  std::uint64_t step() const { return step_; }
  void set_step(std::uint64_t step) { step_ = step; }
  std::size_t threads() const { return workers_.size(); }

  memory::Accountant& accountant() { return accountant_; }
  const memory::Accountant& accountant() const { return accountant_; }

  /// Adds a population; names are unique.
  Population& add_population(std::string name, PopulationOptions options = {});
  Population& population(std::size_t index) { return *populations_.at(index); }
  const Population& population(std::size_t index) const { return *populations_.at(index); }
  Population* find_population(std::string_view name);
  std::size_t population_count() const { return populations_.size(); }

  /// Declares the phases of a step, in order. Systems name one of them.
  void set_phases(std::vector<std::string> phases);
  const std::vector<std::string>& phases() const { return phases_; }
  /// Adds a per-agent system over `population`, run in parallel over blocks of rows.
  void add_system(std::string name, std::string phase, Population& population, BlockFn fn);
  /// Adds a whole-step system run on the main thread.
  void add_system(std::string name, std::string phase, StepFn fn);
  const std::vector<System>& systems() const { return systems_; }

  /// Runs one step: every phase, then step() advances by one.
  void run_step();

  /// Runs fn(block, thread) for every block of `rows` rows over the worker threads.
  void for_each_block(std::size_t rows,
                      const std::function<void(std::size_t block, std::size_t thread)>& fn);
  /// Deterministic parallel reduction: block_fn(begin, end) -> T on each block, then the
  /// partials are combined left to right in block order (the same on any thread count).
  template <class T, class BlockReduce, class Combine>
  T reduce(std::size_t rows, T init, BlockReduce&& block_fn, Combine&& combine) {
    const std::size_t blocks = block_count(rows);
    std::vector<T> partial(blocks, init);
    for_each_block(rows, [&](std::size_t b, std::size_t) {
      const auto begin = static_cast<Row>(b * kBlockRows);
      const auto end = static_cast<Row>(std::min<std::size_t>(rows, (b + 1) * kBlockRows));
      partial[b] = block_fn(begin, end);
    });
    T acc = init;
    for (const T& p : partial)
      acc = combine(acc, p);
    return acc;
  }
  static std::size_t block_count(std::size_t rows) { return (rows + kBlockRows - 1) / kBlockRows; }

 private:
  void run_system(const System& system);
  void apply_deferred();

  std::uint64_t seed_;
  std::uint64_t step_ = 0;
  memory::Accountant accountant_;
  WorkerPool workers_;
  std::deque<std::unique_ptr<Population>> populations_;
  std::vector<std::string> phases_{"update"};
  std::vector<System> systems_;
  std::vector<DeferredCommands> block_commands_;  // commands of the phase, in system/block order
  std::size_t used_commands_ = 0;
};

}  // namespace cohort::engine
