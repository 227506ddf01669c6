#pragma once
// The per-agent part of the accountant: a few bytes per agent in columns, not an object each.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "cohort/memory/budget.hpp"

namespace cohort::memory {

/// Row of an agent in its population's ledger (the engine keeps it in step with its dense order).
using AgentRow = std::uint32_t;

/// Bytes charged to each agent of one population, in columns: 4 bytes used, 4 bytes held, 1 byte
/// of flags per agent (9 bytes). Budget overrides are rare, so they live in a side table.
/// Rows are dense and removed by swap-with-last, like the engine's component columns.
class AgentLedger {
 public:
  enum Flag : std::uint8_t {
    kHasOverride = 1u << 0,       ///< limits come from the override table
    kReclaimExhausted = 1u << 1,  ///< reclaimers could not reach low water; skip them until below
    kRefused = 1u << 2,           ///< this agent has had an allocation refused
    kFirstRung = 1u << 3,         ///< bit (kFirstRung << k) marks: reclaimer k ran for this agent
  };
  static constexpr std::size_t kMaxRungs = 5;
  static constexpr std::size_t kBytesPerAgent = 2 * sizeof(std::uint32_t) + sizeof(std::uint8_t);

  explicit AgentLedger(BudgetLimits defaults = BudgetLimits::unlimited()) : defaults_(defaults) {}

  std::size_t size() const { return used_.size(); }
  std::uint32_t used(AgentRow row) const { return used_[row]; }
  std::uint32_t held(AgentRow row) const { return held_[row]; }
  std::uint8_t flags(AgentRow row) const { return flags_[row]; }

  /// Effective limits of `row`.
  const BudgetLimits& limits(AgentRow row) const {
    return (flags_[row] & kHasOverride) ? overrides_.find(row)->second : defaults_;
  }
  const BudgetLimits& default_limits() const { return defaults_; }
  void set_default_limits(const BudgetLimits& limits) { defaults_ = limits; }
  /// Gives one agent its own limits.
  void set_limits(AgentRow row, const BudgetLimits& limits);
  /// Returns an agent to the population default.
  void clear_limits(AgentRow row);

  /// Appends a new agent with nothing charged; returns its row.
  AgentRow push_back();
  /// Removes `row` by moving the last row into it. The agent must have released every byte
  /// first; returns the bytes still charged (0 unless the caller leaked).
  std::uint64_t swap_remove(AgentRow row);
  void reserve(std::size_t agents);
  /// Bytes this ledger's columns occupy (counted as the population's bookkeeping).
  std::size_t capacity_bytes() const;

 private:
  friend class ChargeContext;
  std::vector<std::uint32_t> used_;
  std::vector<std::uint32_t> held_;
  std::vector<std::uint8_t> flags_;
  BudgetLimits defaults_;
  std::unordered_map<AgentRow, BudgetLimits> overrides_;
};

}  // namespace cohort::memory
