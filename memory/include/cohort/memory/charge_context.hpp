#pragma once
// A thread's window onto the accountant: its pools, its unsettled counter deltas, and the
// allocate/charge calls models make. Everything here is touched by one thread only.

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cohort/memory/agent_ledger.hpp"
#include "cohort/memory/counters.hpp"
#include "cohort/memory/pool_set.hpp"
#include "cohort/memory/population_account.hpp"
#include "cohort/memory/refusal.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::memory {

class ChargeContext;

/// Result of an allocation: the memory, or why there is none.
struct AllocResult {
  void* ptr = nullptr;
  ChargeStatus status = ChargeStatus::ok;
  explicit operator bool() const { return status == ChargeStatus::ok; }
};

/// A charge resolved once for a hot call site: which population, tag and request size, and from
/// that the size class's pool, the bytes held and the tag's counters. Models allocate fixed-size
/// blocks (history blocks, genome rows), so they make one slot per kind of block with
/// ChargeContext::slot() and then call allocate(slot, row) / deallocate(slot, row, ptr), which
/// skip the size-class lookup and the counter indexing of the general calls but check budgets
/// and count exactly the same.
///
/// A slot belongs to the context that made it (it points into that thread's pools and counters)
/// and stays valid for the life of the Accountant; adding populations or agents does not
/// invalidate it. A default-constructed slot must be assigned before use.
class ChargeSlot {
 public:
  ChargeSlot() = default;

  /// The population whose agents the slot charges.
  PopulationAccount& population() const { return *pop_; }
  /// The tag the slot charges under.
  TagId tag() const { return tag_; }
  /// Bytes requested (and charged against budgets) per allocation.
  std::size_t bytes() const { return bytes_; }
  /// Bytes each allocation really occupies (its size class, or `bytes` when not pooled).
  std::size_t held() const { return held_; }

 private:
  friend class ChargeContext;
  // The fast paths read only ledger_, pool_, delta_ and charge_ (fewer live values, fewer spills).
  AgentLedger* ledger_ = nullptr;
  PoolSet::ClassPool* pool_ = nullptr;  // null: served upstream (large, or pass-through mode)
  TagDelta* delta_ = nullptr;           // this context's counters of (population, agents, tag)
  // AgentLedger::pack(bytes, held) when pool_ is set (bytes <= kMaxPooledBytes); the fast paths
  // derive bytes and held from it rather than keep two more values live.
  std::uint64_t charge_ = 0;
  PopulationAccount* pop_ = nullptr;
  std::uint64_t bytes_ = 0;
  std::uint64_t held_ = 0;
  const ChargeContext* owner_ = nullptr;  // checked by assert only
  TagId tag_ = 0;
};

/// One thread's charging interface. The agent calls check the agent's budget and charge its ledger
/// in one step (reserve-then-commit: nothing is charged unless the memory was obtained); the
/// population's totals receive the change at the next Accountant::settle().
/// An agent's ledger row must be touched by one thread at a time (the one stepping it).
///
/// The inline fast paths cover an agent on its population's default limits, under its soft limit,
/// served from a pool's free list; everything else (overrides, reclaiming, refusal, pool growth,
/// large requests, pass-through) branches to out-of-line code with the same outcome.
class ChargeContext {
 public:
  ChargeContext(const TagRegistry& tags, PoolMode mode);
  ChargeContext(const ChargeContext&) = delete;
  ChargeContext& operator=(const ChargeContext&) = delete;

  /// Allocates `bytes` for agent `row` under `tag`, within its budget. Crossing the soft limit
  /// runs the population's reclaimers first; if the hard limit would still be crossed the request
  /// is refused (status `refused`, details in last_refusal()) and no counter but `refusals`
  /// changes.
  AllocResult allocate(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes) {
    AgentLedger& ledger = pop.ledger_;
    if (row >= ledger.size()) [[unlikely]]
      return {nullptr, ChargeStatus::no_agent_ledger};
    const std::uint64_t usage = ledger.usage_[row];
    PoolSet::ClassPool* pool = pools_.pool_for(bytes);  // the size class, computed once
    // One exit for every uncommon case, so nothing here has to survive a call.
    if (!fits_default_soft(ledger, usage, bytes) || pool == nullptr || !pool->has_free_chunk())
        [[unlikely]]
      return allocate_checked(pop, row, tag, bytes);
    const std::size_t held = pool->chunk_bytes();
    void* ptr = pool->take_free_chunk();
    ledger.usage_[row] = usage + AgentLedger::pack(bytes, held);  // only this thread has the row
    agent_delta(pop, tag).add(bytes, held);
    return {ptr, ChargeStatus::ok};
  }

  /// Frees memory from allocate(); `bytes` must be the size it was allocated with.
  void deallocate(PopulationAccount& pop, AgentRow row, TagId tag, void* ptr, std::size_t bytes) {
    std::size_t held;
    if (PoolSet::ClassPool* pool = pools_.pool_for(bytes)) [[likely]] {
      held = pool->chunk_bytes();
      pool->give_back(ptr);
    } else {
      held = pools_.held_for(bytes);
      pools_.deallocate_upstream(ptr, bytes);
    }
    uncommit(pop, row, tag, bytes, held);
  }

  /// Resolves a slot for allocations of `bytes` under `tag` by agents of `pop`, for use with the
  /// slot overloads of allocate/deallocate on this context. Throws std::out_of_range if `tag` is
  /// not registered or `pop` is not known to this context, and std::logic_error if `pop` keeps
  /// no per-agent ledger.
  ChargeSlot slot(PopulationAccount& pop, TagId tag, std::size_t bytes);

  /// allocate(pop, row, tag, bytes) for the slot's population, tag and bytes.
  AllocResult allocate(const ChargeSlot& slot, AgentRow row) {
    assert(slot.owner_ == this && "a ChargeSlot is used on the context that made it");
    AgentLedger& ledger = *slot.ledger_;
    const std::uint64_t charge = slot.charge_;
    const std::uint64_t usage = ledger.usage_[row];
    PoolSet::ClassPool* pool = slot.pool_;
    // One exit for every uncommon case, so nothing here has to survive a call.
    if (!fits_default_soft(ledger, usage, AgentLedger::used_of(charge)) || pool == nullptr ||
        !pool->has_free_chunk()) [[unlikely]]
      return allocate_checked(*slot.pop_, row, slot.tag_, slot.bytes_);
    void* ptr = pool->take_free_chunk();
    ledger.usage_[row] = usage + charge;  // `usage` is current: only this thread touches the row
    slot.delta_->add(AgentLedger::used_of(charge), AgentLedger::held_of(charge));
    return {ptr, ChargeStatus::ok};
  }

  /// deallocate(pop, row, tag, ptr, bytes) for the slot's population, tag and bytes.
  void deallocate(const ChargeSlot& slot, AgentRow row, void* ptr) {
    assert(slot.owner_ == this && "a ChargeSlot is used on the context that made it");
    if (slot.pool_ == nullptr) [[unlikely]]
      return deallocate(*slot.pop_, row, slot.tag_, ptr, slot.bytes_);
    slot.pool_->give_back(ptr);
    const std::uint64_t charge = slot.charge_;
    std::uint64_t& usage = slot.ledger_->usage_[row];
    const std::uint64_t left = usage - charge;  // kept in a register for the test below
    usage = left;
    slot.delta_->remove(AgentLedger::used_of(charge), AgentLedger::held_of(charge));
    if (free_needs_care(left)) [[unlikely]]
      after_special_free(*slot.ledger_, row, *slot.delta_, AgentLedger::used_of(charge));
  }

  /// Charges agent `row` for memory it owns elsewhere (e.g. its slice of a population matrix),
  /// with the same budget rules as allocate(). `held` is what that memory really occupies.
  ChargeStatus charge(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
                      std::size_t held) {
    if (row >= pop.ledger_.size()) [[unlikely]]
      return ChargeStatus::no_agent_ledger;
    if (!fits_default_soft(pop.ledger_, pop.ledger_.usage_[row], bytes)) [[unlikely]]
      return charge_checked(pop, row, tag, bytes, held);
    commit(pop, row, tag, bytes, held);
    return ChargeStatus::ok;
  }
  /// Undoes charge().
  void release(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
               std::size_t held) {
    uncommit(pop, row, tag, bytes, held);
  }

  /// Allocates for the population itself (data shared by its agents), charged once, no budget.
  /// Returns nullptr if the upstream allocator fails.
  void* allocate_shared(PopulationAccount& pop, TagId tag, std::size_t bytes);
  void deallocate_shared(PopulationAccount& pop, TagId tag, void* ptr, std::size_t bytes);
  /// Charges the population for memory it owns elsewhere (e.g. a std::vector of components).
  /// Inline: every birth and death of an agent with side stores (grids, orders) charges here.
  void charge_shared(PopulationAccount& pop, TagId tag, std::size_t bytes, std::size_t held) {
    delta(pop.index_, Scope::population, tag).add(bytes, held);
  }
  void release_shared(PopulationAccount& pop, TagId tag, std::size_t bytes, std::size_t held) {
    delta(pop.index_, Scope::population, tag).remove(bytes, held);
  }

  /// Details of the most recent refusal on this context.
  BudgetRefusal last_refusal() const;
  /// While restoring a checkpoint, charges re-create what an earlier run admitted: budgets are
  /// not checked and reclaimers do not run, so the restored state equals the saved one.
  void set_restoring(bool on) { restoring_ = on; }
  bool restoring() const { return restoring_; }
  /// True while reclaimers run on this context (their frees count as reclaimed).
  bool reclaiming() const { return reclaim_depth_ > 0; }

  PoolSet& pools() { return pools_; }
  const PoolSet& pools() const { return pools_; }

 private:
  friend class Accountant;

  struct RefusalRecord {
    const PopulationAccount* pop = nullptr;
    AgentRow row = 0;
    TagId tag = 0;
    std::uint64_t requested = 0;
    std::uint64_t in_use = 0;
    std::uint64_t limit = 0;
    bool out_of_memory = false;  // the pools' upstream failed, no budget was crossed
  };

  // One population's deltas on this context, [scope][tag]; allocated once and never moved, so
  // slots may point into it.
  using PopulationDeltas = std::array<TagDelta, 2 * TagRegistry::kMaxTags>;

  // The fast-path budget test, on the row's usage word alone: under the default soft limit. An
  // agent with an override or exhausted reclaimers has the word's special bit (2^31) set, which
  // puts the sum above any limit (all are <= kMaxBytes < 2^31), so it always gets the full check
  // (which decides the same as this test for everyone else).
  static bool fits_default_soft(const AgentLedger& ledger, std::uint64_t usage, std::size_t bytes) {
    return std::uint64_t{AgentLedger::used_with_special(usage)} + bytes <= ledger.defaults_.soft;
  }
  static bool over_soft(const AgentLedger& ledger, AgentRow row, std::size_t bytes) {
    return std::uint64_t{ledger.used(row)} + bytes > ledger.limits(row).soft;
  }
  // A free must count as reclaimed or clear the exhausted mark: the row's special bit (already in
  // a register) and one member.
  bool free_needs_care(std::uint64_t usage) const {
    return ((usage & AgentLedger::kSpecialBit) | static_cast<unsigned>(reclaim_depth_)) != 0;
  }

  // Every write of a delta passes here and marks it, so settle() visits only what changed.
  TagDelta& delta(std::uint32_t pop, Scope scope, TagId tag) {
    const std::size_t at = static_cast<std::size_t>(scope) * TagRegistry::kMaxTags + tag;
    touched_[pop] |= std::uint64_t{1} << at;
    return (*deltas_[pop])[at];
  }
  TagDelta& agent_delta(const PopulationAccount& pop, TagId tag) {
    touched_[pop.index_] |= std::uint64_t{1} << tag;
    return (*deltas_[pop.index_])[tag];
  }
  // The deltas of population `pop` settle() must visit: those written since the last settle and
  // those a ChargeSlot points at (written through the slot, without passing delta()).
  std::uint64_t take_touched(std::uint32_t pop) {
    const std::uint64_t visit = touched_[pop] | slotted_[pop];
    touched_[pop] = 0;
    return visit;
  }

  void commit(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
              std::size_t held) {
    pop.ledger_.usage_[row] += AgentLedger::pack(bytes, held);
    agent_delta(pop, tag).add(bytes, held);
  }

  void uncommit(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
                std::size_t held) {
    AgentLedger& ledger = pop.ledger_;
    std::uint64_t& usage = ledger.usage_[row];
    const std::uint64_t left = usage - AgentLedger::pack(bytes, held);
    usage = left;
    TagDelta& d = agent_delta(pop, tag);
    d.remove(bytes, held);
    if (free_needs_care(left)) [[unlikely]]
      after_special_free(ledger, row, d, bytes);
  }

  AllocResult allocate_checked(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes);
  ChargeStatus charge_checked(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
                              std::size_t held);
  // Rare, but inline and call-free on purpose: a call here, even never taken, makes the caller's
  // loop keep its values in memory across it (measured: ~0.5 ns per alloc+free pair).
  void after_special_free(AgentLedger& ledger, AgentRow row, TagDelta& d, std::size_t bytes) {
    // Here because reclaimers are running, or the row's special bit is set (an override, or
    // exhausted reclaimers: only the latter needs anything).
    if (reclaim_depth_ > 0)
      d.reclaimed += bytes;
    else if (ledger.flags_[row] & AgentLedger::kReclaimExhausted)
      ledger.clear_flags(row, AgentLedger::kReclaimExhausted);  // its reclaimers may succeed again
  }
  ChargeStatus admit_over_soft(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes);
  void run_reclaimers(PopulationAccount& pop, AgentRow row, TagId tag, std::uint64_t target);
  void ensure_population(std::uint32_t index);

  const TagRegistry* tags_;
  PoolSet pools_;
  std::vector<std::unique_ptr<PopulationDeltas>> deltas_;  // [population]
  static_assert(2 * TagRegistry::kMaxTags <= 64, "one bit per (scope, tag) delta");
  std::vector<std::uint64_t> touched_;  // [population]: bit scope * kMaxTags + tag
  std::vector<std::uint64_t> slotted_;  // [population]: deltas some ChargeSlot points at
  std::vector<std::array<RungCounters, AgentLedger::kMaxRungs>> rung_deltas_;  // [population]
  RefusalRecord last_refusal_;
  int reclaim_depth_ = 0;
  bool restoring_ = false;
};

}  // namespace cohort::memory
