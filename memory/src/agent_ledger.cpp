#include "cohort/memory/agent_ledger.hpp"

namespace cohort::memory {

void AgentLedger::set_limits(AgentRow row, const BudgetLimits& limits) {
  overrides_[row] = limits;
  flags_[row] |= kHasOverride;
}

void AgentLedger::clear_limits(AgentRow row) {
  overrides_.erase(row);
  flags_[row] &= static_cast<std::uint8_t>(~kHasOverride);
}

AgentRow AgentLedger::push_back() {
  used_.push_back(0);
  held_.push_back(0);
  flags_.push_back(0);
  return static_cast<AgentRow>(used_.size() - 1);
}

std::uint64_t AgentLedger::swap_remove(AgentRow row) {
  const std::uint64_t residual = used_[row];
  const AgentRow last = static_cast<AgentRow>(used_.size() - 1);
  if (flags_[row] & kHasOverride) overrides_.erase(row);
  if (row != last) {
    used_[row] = used_[last];
    held_[row] = held_[last];
    flags_[row] = flags_[last];
    if (flags_[last] & kHasOverride) {
      auto node = overrides_.extract(last);
      node.key() = row;
      overrides_.insert(std::move(node));
    }
  }
  used_.pop_back();
  held_.pop_back();
  flags_.pop_back();
  return residual;
}

void AgentLedger::reserve(std::size_t agents) {
  used_.reserve(agents);
  held_.reserve(agents);
  flags_.reserve(agents);
}

std::size_t AgentLedger::capacity_bytes() const {
  return used_.capacity() * sizeof(std::uint32_t) + held_.capacity() * sizeof(std::uint32_t) +
         flags_.capacity() * sizeof(std::uint8_t);
}

}  // namespace cohort::memory
