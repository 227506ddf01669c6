#pragma once
// A thread's window onto the accountant: its pools, its unsettled counter deltas, and the
// allocate/charge calls models make. Everything here is touched by one thread only.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cohort/memory/agent_ledger.hpp"
#include "cohort/memory/counters.hpp"
#include "cohort/memory/pool_set.hpp"
#include "cohort/memory/population_account.hpp"
#include "cohort/memory/refusal.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::memory {

/// Result of an allocation: the memory, or why there is none.
struct AllocResult {
  void* ptr = nullptr;
  ChargeStatus status = ChargeStatus::ok;
  explicit operator bool() const { return status == ChargeStatus::ok; }
};

/// One thread's charging interface. The agent calls check the agent's budget and charge its ledger
/// in one step (reserve-then-commit: nothing is charged unless the memory was obtained); the
/// population's totals receive the change at the next Accountant::settle().
/// An agent's ledger row must be touched by one thread at a time (the one stepping it).
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
    if (over_soft(pop.ledger_, row, bytes)) [[unlikely]] {
      const ChargeStatus status = admit_over_soft(pop, row, tag, bytes);
      if (status != ChargeStatus::ok) return {nullptr, status};
    }
    const Chunk chunk = pools_.allocate(bytes);
    if (chunk.ptr == nullptr) [[unlikely]]
      return {nullptr, ChargeStatus::upstream_failed};
    commit(pop, row, tag, bytes, chunk.held);
    return {chunk.ptr, ChargeStatus::ok};
  }

  /// Frees memory from allocate(); `bytes` must be the size it was allocated with.
  void deallocate(PopulationAccount& pop, AgentRow row, TagId tag, void* ptr, std::size_t bytes) {
    const std::size_t held = pools_.held_for(bytes);
    pools_.deallocate(ptr, bytes);
    uncommit(pop, row, tag, bytes, held);
  }

  /// Charges agent `row` for memory it owns elsewhere (e.g. its slice of a population matrix),
  /// with the same budget rules as allocate(). `held` is what that memory really occupies.
  ChargeStatus charge(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
                      std::size_t held) {
    if (over_soft(pop.ledger_, row, bytes)) [[unlikely]] {
      const ChargeStatus status = admit_over_soft(pop, row, tag, bytes);
      if (status != ChargeStatus::ok) return status;
    }
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
  void charge_shared(PopulationAccount& pop, TagId tag, std::size_t bytes, std::size_t held);
  void release_shared(PopulationAccount& pop, TagId tag, std::size_t bytes, std::size_t held);

  /// Details of the most recent refusal on this context.
  BudgetRefusal last_refusal() const;
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
  };

  static bool over_soft(const AgentLedger& ledger, AgentRow row, std::size_t bytes) {
    return std::uint64_t{ledger.used_[row]} + bytes > ledger.limits(row).soft;
  }

  TagDelta& delta(std::uint32_t pop, Scope scope, TagId tag) {
    return deltas_[(std::size_t{pop} * 2 + static_cast<std::size_t>(scope)) *
                       TagRegistry::kMaxTags +
                   tag];
  }

  void commit(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
              std::size_t held) {
    AgentLedger& ledger = pop.ledger_;
    ledger.used_[row] += static_cast<std::uint32_t>(bytes);
    ledger.held_[row] += static_cast<std::uint32_t>(held);
    delta(pop.index_, Scope::agents, tag).add(bytes, held);
  }

  void uncommit(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes,
                std::size_t held) {
    AgentLedger& ledger = pop.ledger_;
    ledger.used_[row] -= static_cast<std::uint32_t>(bytes);
    ledger.held_[row] -= static_cast<std::uint32_t>(held);
    TagDelta& d = delta(pop.index_, Scope::agents, tag);
    d.remove(bytes, held);
    if (reclaim_depth_ > 0) [[unlikely]]
      d.reclaimed += bytes;
    else if (ledger.flags_[row] & AgentLedger::kReclaimExhausted) [[unlikely]]
      ledger.flags_[row] &= static_cast<std::uint8_t>(~AgentLedger::kReclaimExhausted);
  }

  ChargeStatus admit_over_soft(PopulationAccount& pop, AgentRow row, TagId tag, std::size_t bytes);
  void run_reclaimers(PopulationAccount& pop, AgentRow row, TagId tag, std::uint64_t target);
  void ensure_population(std::uint32_t index);

  const TagRegistry* tags_;
  PoolSet pools_;
  std::vector<TagDelta> deltas_;  // [population][scope][tag]
  std::vector<std::array<RungCounters, AgentLedger::kMaxRungs>> rung_deltas_;  // [population]
  RefusalRecord last_refusal_;
  int reclaim_depth_ = 0;
};

}  // namespace cohort::memory
