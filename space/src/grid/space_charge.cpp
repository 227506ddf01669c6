#include "cohort/space/grid/space_charge.hpp"

#include "cohort/memory/refusal.hpp"

namespace cohort::space {

void SpaceCharge::check_growth(std::size_t more, const std::string& what) const {
  const memory::PopulationLimits& limits = owner_->options().population_budget;
  if (!limits.limited() || owner_->budget_bytes() + more <= limits.hard) return;
  memory::BudgetRefusal r;
  r.account_path = owner_->name();
  r.tag = std::string(accountant_->tags().name(charge_.tag()));
  r.requested = more;
  r.in_use = owner_->budget_bytes();
  r.limit = limits.hard;
  r.remedy = "raise populations." + owner_->name() + ".population_budget, or make the " + what +
             " smaller";
  throw memory::BudgetExceeded(std::move(r));
}

}  // namespace cohort::space
