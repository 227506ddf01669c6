#pragma once
// One population's account: per-tag counters for its agents and for itself, the agents'
// ledger and budgets, and the reclaimers that run when an agent crosses its soft limit.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cohort/memory/agent_ledger.hpp"
#include "cohort/memory/counters.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::memory {

class ChargeContext;
class PopulationAccount;

/// What a reclaimer is asked to do: free at least `bytes_to_free` of the agent's memory, through
/// `context` (so the frees are charged and counted as reclaimed).
struct ReclaimRequest {
  ChargeContext& context;
  PopulationAccount& population;
  AgentRow row;
  TagId requesting_tag;
  std::uint64_t bytes_to_free;
};

/// A model-provided way to give memory back (evict oldest history, prune beliefs, ...). Runs only
/// when an agent crosses its soft limit, never per agent per step.
struct Reclaimer {
  std::string name;
  std::function<void(const ReclaimRequest&)> reclaim;
};

/// Counters of one reclaimer (one rung of the ladder).
struct RungCounters {
  std::uint64_t runs = 0;   ///< times it was called
  std::uint64_t bytes = 0;  ///< bytes it freed
};

/// Scope of a charge inside a population: an agent's own, or the population's (shared data).
enum class Scope : std::uint8_t { agents = 0, population = 1 };

/// Account of one population. Counters here are settled values; changes made through a
/// ChargeContext appear after Accountant::settle().
class PopulationAccount {
 public:
  PopulationAccount(std::string name, std::uint32_t index, BudgetLimits defaults);

  const std::string& name() const { return name_; }
  std::uint32_t index() const { return index_; }
  AgentLedger& ledger() { return ledger_; }
  const AgentLedger& ledger() const { return ledger_; }

  /// Whether the population keeps a per-agent ledger. Without one, per-agent charges return
  /// ChargeStatus::no_agent_ledger and ChargeContext::slot() throws; shared charges work.
  bool tracks_agents() const { return tracks_agents_; }
  void set_tracks_agents(bool on) { tracks_agents_ = on; }

  /// Adds an agent with nothing charged; returns its ledger row.
  AgentRow add_agent() { return ledger_.push_back(); }
  /// Removes an agent (swap-with-last). Bytes it still had charged are kept as `orphaned` so
  /// totals stay truthful; returns them (0 unless the owner leaked).
  std::uint64_t remove_agent(AgentRow row);

  /// Reclaimers run in the order added. At most AgentLedger::kMaxRungs.
  void add_reclaimer(Reclaimer reclaimer);
  const std::vector<Reclaimer>& reclaimers() const { return reclaimers_; }
  const RungCounters& rung(std::size_t k) const { return rungs_[k]; }

  /// Settled counters of `tag` in `scope`.
  const TagCounters& counters(Scope scope, TagId tag) const {
    return counters_[static_cast<std::size_t>(scope)][tag];
  }
  /// Sum over tags of one scope.
  TagCounters total(Scope scope) const;
  /// total(scope).used, kept at each settle: O(1), for checks made per birth.
  std::uint64_t used(Scope scope) const { return used_[static_cast<std::size_t>(scope)]; }
  /// Net change to used(Scope::population) that SharedCharges have recorded and the next settle
  /// will charge: a per-birth budget test adds it, so it sees this phase's births at once.
  std::int64_t unsettled_shared_used() const { return unsettled_shared_used_; }
  /// Bytes still charged to agents that were removed (a leak in their owner).
  std::uint64_t orphaned_used() const { return orphaned_used_; }
  std::uint64_t orphaned_held() const { return orphaned_held_; }
  /// Settle-time high-water of the population's total used and held bytes.
  std::uint64_t peak_used() const { return peak_used_; }
  std::uint64_t peak_held() const { return peak_held_; }

  /// Fixed bytes every agent costs outside the pools (component columns, ledger), set by the
  /// engine so reports can show bytes per agent.
  void set_fixed_bytes_per_agent(std::size_t bytes) { fixed_bytes_per_agent_ = bytes; }
  std::size_t fixed_bytes_per_agent() const { return fixed_bytes_per_agent_; }

  /// Maps a ledger row to the agent id shown in messages and reports (identity by default).
  void set_agent_id_of(std::function<std::uint64_t(AgentRow)> fn) { agent_id_of_ = std::move(fn); }
  std::uint64_t agent_id(AgentRow row) const { return agent_id_of_ ? agent_id_of_(row) : row; }
  /// Counts the agents of a population without a ledger (set by the engine), for reports.
  void set_agent_count_of(std::function<std::size_t()> fn) { agent_count_of_ = std::move(fn); }
  /// The population's agents: its ledger's rows, or without a ledger what the engine counts.
  std::size_t agents() const {
    return tracks_agents_ || !agent_count_of_ ? ledger_.size() : agent_count_of_();
  }

 private:
  friend class Accountant;
  friend class ChargeContext;
  friend class SharedCharge;

  std::string name_;
  std::uint32_t index_;
  AgentLedger ledger_;
  std::vector<Reclaimer> reclaimers_;
  std::array<RungCounters, AgentLedger::kMaxRungs> rungs_{};
  std::array<std::array<TagCounters, TagRegistry::kMaxTags>, 2> counters_{};
  std::array<std::uint64_t, 2> used_{};  // per scope, the sum of counters_[scope][*].used
  std::uint64_t held_ = 0;               // the sum of counters_[*][*].held
  std::int64_t unsettled_shared_used_ = 0;
  std::uint64_t orphaned_used_ = 0;
  std::uint64_t orphaned_held_ = 0;
  std::uint64_t peak_used_ = 0;
  std::uint64_t peak_held_ = 0;
  std::size_t fixed_bytes_per_agent_ = 0;
  std::function<std::uint64_t(AgentRow)> agent_id_of_;
  std::function<std::size_t()> agent_count_of_;
  bool tracks_agents_ = true;
};

}  // namespace cohort::memory
