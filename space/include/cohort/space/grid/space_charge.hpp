#pragma once
// Bytes a space holds for a population (cell arrays, per-row index entries, layers), charged to
// that population under one space tag and kept equal to what the space really holds.

#include <cstddef>
#include <string>

#include "cohort/engine/population.hpp"
#include "cohort/engine/shared_charge.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::space {

/// One charge of population-level bytes under one tag, moved to new (used, held) figures with
/// set(). Main thread only (between phases), like every change of rows.
class SpaceCharge {
 public:
  SpaceCharge(memory::Accountant& accountant, engine::Population& owner, memory::TagId tag)
      : accountant_(&accountant), owner_(&owner), tag_(tag) {}
  SpaceCharge(const SpaceCharge&) = delete;
  SpaceCharge& operator=(const SpaceCharge&) = delete;
  ~SpaceCharge() { set(0, 0); }

  /// Charges (used, held) in place of the previous figures. Inline: grids call it on every
  /// birth and death.
  void set(std::size_t used, std::size_t held) {
    if (used == used_ && held == held_) return;
    engine::recharge_shared(accountant_->context(0), owner_->account(), tag_, used_, held_, used,
                            held);
    used_ = used;
    held_ = held;
  }
  /// Throws memory::BudgetExceeded (typed: population, tag, bytes, in use, limit, remedy) if
  /// growing the charge by `more` bytes would cross the owner's population budget.
  void check_growth(std::size_t more, const std::string& what) const;
  std::size_t used() const { return used_; }
  std::size_t held() const { return held_; }

 private:
  memory::Accountant* accountant_;
  engine::Population* owner_;
  memory::TagId tag_;
  std::size_t used_ = 0, held_ = 0;
};

}  // namespace cohort::space
