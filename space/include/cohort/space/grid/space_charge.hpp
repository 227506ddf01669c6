#pragma once
// Bytes a space holds for a population (cell arrays, per-row index entries, layers), charged to
// that population under one space tag and kept equal to what the space really holds.

#include <cstddef>
#include <string>

#include "cohort/engine/population.hpp"
#include "cohort/memory/shared_charge.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::space {

/// One charge of population-level bytes under one tag, moved to new (used, held) figures with
/// set() and charged at the accountant's next settle (memory::SharedCharge). Main thread only
/// (between phases), like every change of rows.
class SpaceCharge {
 public:
  SpaceCharge(memory::Accountant& accountant, engine::Population& owner, memory::TagId tag)
      : charge_(accountant, owner.account(), tag), accountant_(&accountant), owner_(&owner) {}

  /// Records (used, held) in place of the previous figures. Inline: grids call it on every birth
  /// and death.
  void set(std::size_t used, std::size_t held) { charge_.set(used, held); }
  /// set(used() + bytes, held()) and set(used() - bytes, held()), in fewer steps (see
  /// memory::SharedCharge::add_used).
  void add_used(std::size_t bytes) { charge_.add_used(bytes); }
  void remove_used(std::size_t bytes) { charge_.remove_used(bytes); }
  /// Throws memory::BudgetExceeded (typed: population, tag, bytes, in use, limit, remedy) if
  /// growing the charge by `more` bytes would cross the owner's population budget.
  void check_growth(std::size_t more, const std::string& what) const;
  std::size_t used() const { return charge_.used(); }
  std::size_t held() const { return charge_.held(); }

 private:
  memory::SharedCharge charge_;
  memory::Accountant* accountant_;
  engine::Population* owner_;
};

}  // namespace cohort::space
