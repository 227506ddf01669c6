#include "cohort/space/grid/space_charge.hpp"

#include "cohort/engine/shared_charge.hpp"
#include "cohort/memory/refusal.hpp"

namespace cohort::space {

void SpaceCharge::set(std::size_t used, std::size_t held) {
  if (used == used_ && held == held_) return;
  engine::recharge_shared(accountant_->context(0), owner_->account(), tag_, used_, held_, used,
                          held);
  used_ = used;
  held_ = held;
}

void SpaceCharge::check_growth(std::size_t more, const std::string& what) const {
  const memory::PopulationLimits& limits = owner_->options().population_budget;
  if (!limits.limited() || owner_->budget_bytes() + more <= limits.hard) return;
  memory::BudgetRefusal r;
  r.account_path = owner_->name();
  r.tag = std::string(accountant_->tags().name(tag_));
  r.requested = more;
  r.in_use = owner_->budget_bytes();
  r.limit = limits.hard;
  r.remedy = "raise populations." + owner_->name() + ".population_budget, or make the " + what +
             " smaller";
  throw memory::BudgetExceeded(std::move(r));
}

}  // namespace cohort::space
