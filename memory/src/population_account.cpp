#include "cohort/memory/population_account.hpp"

#include <stdexcept>

namespace cohort::memory {

PopulationAccount::PopulationAccount(std::string name, std::uint32_t index, BudgetLimits defaults)
    : name_(std::move(name)), index_(index), ledger_(defaults) {}

std::uint64_t PopulationAccount::remove_agent(AgentRow row) {
  const std::uint64_t held = ledger_.held(row);
  const std::uint64_t residual = ledger_.swap_remove(row);
  orphaned_used_ += residual;
  orphaned_held_ += residual == 0 ? 0 : held;
  return residual;
}

void PopulationAccount::add_reclaimer(Reclaimer reclaimer) {
  if (reclaimers_.size() >= AgentLedger::kMaxRungs)
    throw std::length_error("population '" + name_ + "' already has the maximum of " +
                            std::to_string(AgentLedger::kMaxRungs) + " reclaimers");
  if (!reclaimer.reclaim)
    throw std::invalid_argument("reclaimer '" + reclaimer.name + "' has no function");
  reclaimers_.push_back(std::move(reclaimer));
}

TagCounters PopulationAccount::total(Scope scope) const {
  TagCounters sum;
  for (const TagCounters& c : counters_[static_cast<std::size_t>(scope)])
    sum += c;
  return sum;
}

}  // namespace cohort::memory
