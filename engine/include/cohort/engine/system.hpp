#pragma once
// Systems: named functions over a population, run in ordered phases of each step.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/claims.hpp"
#include "cohort/engine/component_column.hpp"
#include "cohort/engine/deferred_commands.hpp"
#include "cohort/engine/effects.hpp"
#include "cohort/engine/random_stream.hpp"
#include "cohort/memory/charge_context.hpp"

namespace cohort::engine {

class Population;
class World;

/// How a per-agent system visits its population's agents.
enum class Schedule : std::uint8_t {
  /// In parallel over blocks of rows; each agent sees the others as they were at the phase start
  /// (writes only its own row; touches others through effects).
  ordered,
  /// One agent at a time, on one thread, in a fresh random order every step (Mesa's
  /// RandomActivation, Agents.jl's random scheduler): each agent sees the changes of the agents
  /// before it. The order is a permutation keyed by (seed, population, step), sorted by a keyed
  /// hash of each agent's uid, so it does not depend on rows or threads.
  random,
  /// Staged: all agents read, then all write. In parallel; the system reads other agents'
  /// components through BlockContext::before(), a copy taken when the system starts.
  simultaneous,
};

/// What a per-agent system declares about itself.
struct SystemOptions {
  Schedule schedule = Schedule::ordered;
  /// Rough cost of one agent in nanoseconds. Blocks are sized so one block is ~100 us of work
  /// (between 64 and 4096 rows): heavy agents get small blocks so every thread has work. Block
  /// size depends on this number only, never on the thread count, so results do not either.
  double cost_ns = 0;
};

/// Rows per block for a system of the given cost (see SystemOptions::cost_ns).
Row block_rows_for(double cost_ns);

/// The rows a system visits in one call, in order: [begin, end) or a permutation's slice.
class RowSequence {
 public:
  class iterator {
   public:
    iterator(const Row* order, Row i) : order_(order), i_(i) {}
    Row operator*() const { return order_ != nullptr ? order_[i_] : i_; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const Row* order_;
    Row i_;
  };
  RowSequence(Row begin, Row end, const Row* order = nullptr)
      : begin_(begin), end_(end), order_(order) {}
  iterator begin() const { return {order_, begin_}; }
  iterator end() const { return {order_, end_}; }
  std::size_t size() const { return end_ - begin_; }

 private:
  Row begin_, end_;
  const Row* order_;
};

/// What a per-agent system sees while it processes one block of rows.
struct BlockContext {
  World& world;
  Population& population;
  std::uint64_t step;
  std::size_t thread;             ///< index of the worker thread running this block
  std::size_t block;              ///< block number; rows [begin, end)
  memory::ChargeContext& memory;  ///< this thread's charge context
  DeferredCommands& commands;     ///< births and deaths, applied at the phase end
  std::uint64_t seed;
  std::uint32_t system = 0;    ///< the system's ordinal (orders its effects)
  const Row* order = nullptr;  ///< random schedule: the activation order
  /// Simultaneous schedule: the population's columns as they were when the system started.
  const std::vector<std::vector<std::byte>>* snapshot = nullptr;

  /// The random stream of the agent with `uid` for this step and `stream`.
  RandomStream rng(Uid uid, std::uint16_t stream) const {
    return RandomStream(seed, uid, step, stream);
  }
  /// The rows to visit for the call's [begin, end): plain rows, or the random activation order.
  RowSequence rows(Row begin, Row end) const { return {begin, end, order}; }

  /// Emits an effect from the agent at `source_row` of this system's population to the agent
  /// `target` of the channel's population; applied at the phase end (see World::add_effect),
  /// dropped if the target is dead by then.
  template <class T>
  void emit(Effect<T> channel, Row source_row, AgentId target, const T& payload);
  /// Emits an effect to the agent with handle `target` on rank `rank` (its owner, in a
  /// distributed run; this rank: as emit()). Delivered at the phase end and applied there in the
  /// same order as emit()'s, so results do not depend on how agents are spread over ranks. T must
  /// be trivially copyable. Throws std::out_of_range for a rank outside the run.
  template <class T>
  void emit_to_rank(Effect<T> channel, Row source_row, int rank, AgentId target, const T& payload);
  /// Claims `resource` (a cell index, a prey's uid, ...) for the agent at `source_row` of this
  /// system's population (the channel's source population); see World::add_claims.
  template <class T>
  void claim(Claim<T> channel, Row source_row, std::uint64_t resource, const T& payload);
  /// Destroys `target` of `population` at the phase end (ignored if it is dead by then).
  void kill(std::uint16_t target_population, AgentId target, Row source_row);
  /// Creates an agent in `population` at the phase end, with `init` run on its row; births are
  /// applied in (source uid, system, emission) order, which decides the newborns' uids.
  void spawn(std::uint16_t target_population, Row source_row, SpawnInit init);
  /// Reads another agent's component as it was when this (simultaneous) system started.
  template <class T>
  std::span<const T> before(Component<T> c) const {
    const std::vector<std::byte>& bytes = snapshot->at(c.column);
    return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
  }
};

/// Processes rows [begin, end) of a population. Called once per block, never per agent: the loop
/// over agents is the system's own, so it can be tight and vectorised. Systems with the random
/// schedule loop over ctx.rows(begin, end) to get the activation order.
using BlockFn = std::function<void(BlockContext& ctx, Row begin, Row end)>;
/// A system that runs once per step on the main thread (population-wide work such as selection).
using StepFn = std::function<void(World& world, std::uint64_t step)>;

/// A named unit of work in a phase: either per-agent over blocks (parallel) or whole-step.
struct System {
  std::string name;
  std::string phase;
  std::uint16_t population = 0;  ///< for per-agent systems
  BlockFn per_block;             ///< set for per-agent systems
  StepFn per_step;               ///< set for whole-step systems
  SystemOptions options = {};
};

}  // namespace cohort::engine
