#pragma once
// The world: populations, the memory accountant, the worker threads and the step schedule.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "cohort/engine/claims.hpp"
#include "cohort/engine/effects.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/engine/rank_group.hpp"
#include "cohort/engine/system.hpp"
#include "cohort/engine/worker_pool.hpp"
#include "cohort/memory/accountant.hpp"

namespace cohort::engine {

/// Rows per block of World::for_each_block and World::reduce, and of systems that declare no
/// cost. Fixed (not derived from the thread count) so that per-block results, and reductions
/// combined in block order, are identical on any number of threads.
inline constexpr Row kBlockRows = 4096;

/// How a world is set up.
struct WorldOptions {
  std::uint64_t seed = 42;
  std::size_t threads = 0;  ///< 0 = the machine's hardware threads
  memory::PoolMode pool_mode = memory::default_pool_mode();
  /// The ranks this world is one of (MPI); null: a single process.
  std::shared_ptr<const RankGroup> ranks = nullptr;
};

/// Holds everything a simulation is made of and runs its steps. Systems run in phase order and,
/// within a phase, in the order they were added. At each phase end, in this order: memory is
/// settled, effects are applied (channel by channel), deaths, then births, then memory is
/// settled again.
class World {
 public:
  explicit World(WorldOptions options = {});
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const { return seed_; }
  std::uint64_t step() const { return step_; }
  void set_step(std::uint64_t step) { step_ = step; }
  std::size_t threads() const { return workers_.size(); }
  /// The ranks the run is spread over (SingleRank unless the run is distributed).
  const RankGroup& ranks() const { return *ranks_; }

  memory::Accountant& accountant() { return accountant_; }
  const memory::Accountant& accountant() const { return accountant_; }

  /// Adds a population; names are unique.
  Population& add_population(std::string name, PopulationOptions options = {});
  Population& population(std::size_t index) { return *populations_.at(index); }
  const Population& population(std::size_t index) const { return *populations_.at(index); }
  Population* find_population(std::string_view name);
  std::size_t population_count() const { return populations_.size(); }
  /// The next uid a new agent gets (saved by checkpoints).
  Uid next_uid() const { return uids_.next; }
  void set_next_uid(Uid next) { uids_.next = next; }

  /// Declares the phases of a step, in order. Systems name one of them.
  void set_phases(std::vector<std::string> phases);
  const std::vector<std::string>& phases() const { return phases_; }
  /// Adds a per-agent system over `population`, run over blocks of rows as `options` says.
  void add_system(std::string name, std::string phase, Population& population, BlockFn fn,
                  SystemOptions options = {});
  /// Adds a whole-step system run on the main thread.
  void add_system(std::string name, std::string phase, StepFn fn);
  const std::vector<System>& systems() const { return systems_; }

  /// Declares an effect channel: payloads of type T sent by systems (BlockContext::emit) to
  /// agents of `target`, applied at each phase end by apply(target, row, payload) in order of
  /// (target, source uid, system, emission); effects on agents dead by then are dropped. Targets
  /// in different blocks of 4096 handle slots are applied in parallel, so `apply` must write
  /// only the target's row.
  template <class T, class Apply>
  Effect<T> add_effect(std::string name, Population& target, Apply apply);
  /// The typed channel of a handle (for BlockContext::emit).
  template <class T>
  EffectChannel<T>& channel(Effect<T> e) {
    return static_cast<EffectChannel<T>&>(*channels_.at(e.channel));
  }
  const std::vector<std::unique_ptr<EffectChannelBase>>& channels() const { return channels_; }

  /// Declares a claim channel: agents of `source` claim resources (BlockContext::claim) with a
  /// payload T; at each phase end, before effects, one claimant per resource wins by `rule` and
  /// `outcome(ClaimOutcome<T>&)` is called for every claimant, winners and losers, in order of
  /// (resource, rank), on the main thread. To kill or spawn from an outcome, use defer_kill and
  /// defer_spawn (rows must not move while claims resolve).
  template <class T, class Outcome>
  Claim<T> add_claims(std::string name, Population& source, ClaimRule rule, Outcome outcome);
  template <class T>
  ClaimChannel<T>& claims(Claim<T> c) {
    return static_cast<ClaimChannel<T>&>(*claim_channels_.at(c.channel));
  }
  /// Destroys an agent with this phase's deaths (for phase-end callbacks on the main thread).
  void defer_kill(std::uint16_t population, AgentId agent) {
    phase_end_commands_.destroy(population, agent);
  }
  /// Creates an agent with this phase's births, ordered among them by `key`.
  void defer_spawn(std::uint16_t population, EmissionKey key, SpawnInit init) {
    phase_end_commands_.spawn(population, key, std::move(init));
  }

  /// Runs one step: every phase, then step() advances by one.
  void run_step();
  /// Asks the run to end after this step, with a reason (recorded in run.json).
  void end_run(std::string reason) {
    if (!end_reason_) end_reason_ = std::move(reason);
  }
  const std::optional<std::string>& end_reason() const { return end_reason_; }

  /// Runs fn(task, thread) for task in [0, tasks) on the worker threads, each task on whichever
  /// thread is free: keep results per task, and use `thread` only to pick scratch memory.
  void run_tasks(std::size_t tasks,
                 const std::function<void(std::size_t task, std::size_t thread)>& fn);
  /// Runs fn(block, thread) for every block of kBlockRows rows over the worker threads.
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
  void run_system(std::uint32_t ordinal);
  void apply_effects();
  void resolve_claims();
  void apply_deferred();
  void activation_order(const Population& pop, std::vector<Row>& order);

  std::uint64_t seed_;
  std::shared_ptr<const RankGroup> ranks_;
  std::uint64_t step_ = 0;
  memory::Accountant accountant_;
  WorkerPool workers_;
  UidCounter uids_;
  std::deque<std::unique_ptr<Population>> populations_;
  std::vector<std::string> phases_{"update"};
  std::vector<System> systems_;
  std::vector<std::unique_ptr<EffectChannelBase>> channels_;
  std::vector<std::unique_ptr<ClaimChannelBase>> claim_channels_;
  DeferredCommands phase_end_commands_;  // kills and births asked for by phase-end callbacks
  std::vector<DeferredCommands> block_commands_;  // commands of the phase, in system/block order
  std::size_t used_commands_ = 0;
  std::vector<Row> order_;  // random activation order (reused)
  std::vector<std::pair<std::uint64_t, Row>> activation_keys_, activation_scratch_;
  std::vector<std::vector<std::byte>> snapshot_;  // simultaneous systems' column copies
  std::optional<std::string> end_reason_;
};

/// A channel with its apply function (a template parameter, so it inlines into the apply loop).
template <class T, class Apply>
class EffectChannelImpl final : public EffectChannel<T> {
 public:
  EffectChannelImpl(std::string name, std::uint16_t target, Apply apply)
      : EffectChannel<T>(std::move(name), target), apply_(std::move(apply)) {}

  void apply(World& world) override {
    if (world.ranks().size() > 1) this->deliver(world.ranks());
    if (this->pending() == 0) return;
    Population& pop = world.population(this->target());
    const std::size_t threads = this->buffers_.size();
    // Handle slots never exceed the index's slot count, live or dead; a foreign id past it names
    // no agent and is dropped with its block.
    const std::size_t slots = pop.index_map().slot_count();
    const std::size_t blocks = (slots + kEffectApplySlots - 1) / kEffectApplySlots;
    scratch_.resize(world.threads());
    world.run_tasks(blocks, [&](std::size_t b, std::size_t thread) {
      Scratch& s = scratch_[thread];
      s.parts.clear();
      for (std::size_t t = 0; t < threads; ++t)
        if (b < this->buffers_[t].size() && !this->buffers_[t][b].empty())
          s.parts.emplace_back(this->buffers_[t][b]);
      if (s.parts.empty()) return;
      apply_block_in_order<Entry>(s.parts, static_cast<std::uint32_t>(b * kEffectApplySlots),
                                  s.order, s.count, s.start, [&](const Entry& e) {
                                    if (e.target.index() >= slots) return;
                                    const Row row = pop.row_of(e.target);
                                    if (row != AgentIndex::kNoRow) apply_(pop, row, e.payload);
                                  });
    });
    for (std::size_t t = 0; t < threads; ++t) {
      for (auto& bucket : this->buffers_[t])
        bucket.clear();
      this->seq_[t] = 0;
    }
  }

 private:
  using Entry = typename EffectChannel<T>::Entry;
  struct Scratch {
    std::vector<std::span<const Entry>> parts;
    std::vector<const Entry*> order;
    std::vector<std::uint32_t> count, start;
  };
  Apply apply_;
  std::vector<Scratch> scratch_;
};

template <class T, class Apply>
Effect<T> World::add_effect(std::string name, Population& target, Apply apply) {
  auto channel = std::make_unique<EffectChannelImpl<T, Apply>>(std::move(name), target.index(),
                                                               std::move(apply));
  channel->resize_threads(threads());
  channels_.push_back(std::move(channel));
  return Effect<T>{static_cast<std::uint32_t>(channels_.size() - 1)};
}

/// The rank of a claim under ClaimRule::random: a keyed hash, uniform and independent per
/// claimant, identical wherever the claimant is stored.
std::uint64_t claim_draw(std::uint64_t seed, std::uint64_t step, std::uint32_t channel,
                         std::uint64_t resource, Uid claimant);

/// A claim channel with its outcome function.
template <class T, class Outcome>
class ClaimChannelImpl final : public ClaimChannel<T> {
 public:
  ClaimChannelImpl(std::string name, std::uint16_t source, ClaimRule rule, Outcome outcome)
      : ClaimChannel<T>(std::move(name), source, rule), outcome_(std::move(outcome)) {}

  void resolve(World& world, std::uint32_t) override {
    auto& all = this->all_;
    all.clear();
    for (auto& b : this->buffers_) {
      all.insert(all.end(), b.begin(), b.end());
      b.clear();
    }
    if (all.empty()) return;
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      if (a.resource != b.resource) return a.resource < b.resource;
      if (a.draw != b.draw) return a.draw < b.draw;
      return a.source < b.source;
    });
    Population& pop = world.population(this->source());
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& e = all[i];
      const bool won = i == 0 || all[i - 1].resource != e.resource;
      ClaimOutcome<T> o{world, pop, e.row, e.source, e.resource, e.payload, won};
      outcome_(o);
    }
  }

 private:
  Outcome outcome_;
};

template <class T, class Outcome>
Claim<T> World::add_claims(std::string name, Population& source, ClaimRule rule, Outcome outcome) {
  auto channel = std::make_unique<ClaimChannelImpl<T, Outcome>>(std::move(name), source.index(),
                                                                rule, std::move(outcome));
  channel->resize_threads(threads());
  claim_channels_.push_back(std::move(channel));
  return Claim<T>{static_cast<std::uint32_t>(claim_channels_.size() - 1)};
}

template <class T>
void BlockContext::claim(Claim<T> channel, Row source_row, std::uint64_t resource,
                         const T& payload) {
  ClaimChannel<T>& ch = world.claims(channel);
  const Uid uid = population.uid_at(source_row);
  const std::uint64_t draw =
      ch.rule() == ClaimRule::random ? claim_draw(seed, step, channel.channel, resource, uid) : uid;
  ch.push(thread, {resource, draw, uid, source_row, payload});
}

template <class T>
void BlockContext::emit(Effect<T> channel, Row source_row, AgentId target, const T& payload) {
  EffectChannel<T>& ch = world.channel(channel);
  ch.push(thread, target, {population.uid_at(source_row), system, ch.next_seq(thread)}, payload);
}

template <class T>
void BlockContext::emit_to_rank(Effect<T> channel, Row source_row, int rank, AgentId target,
                                const T& payload) {
  static_assert(std::is_trivially_copyable_v<T>, "an effect for another rank travels as bytes");
  const RankGroup& ranks = world.ranks();
  if (rank == ranks.rank()) return emit(channel, source_row, target, payload);
  if (rank < 0 || rank >= ranks.size())
    throw std::out_of_range("an effect for rank " + std::to_string(rank) + " of " +
                            std::to_string(ranks.size()));
  EffectChannel<T>& ch = world.channel(channel);
  ch.push_remote(thread, rank, target, {population.uid_at(source_row), system, ch.next_seq(thread)},
                 payload);
}

}  // namespace cohort::engine
