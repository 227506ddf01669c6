#pragma once
// A population-level charge whose figures change often (a side store's per-row bytes move on every
// birth and death): set() only records them, and the accountant charges the difference at its next
// settle(), the first moment anyone can read a population's counters.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cohort/memory/charge_context.hpp"
#include "cohort/memory/population_account.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::memory {

class Accountant;

/// One charge of population-level bytes under one tag, kept equal to what its owner holds.
/// The tag's peaks stay exact: a settle charges up to the highest figures set since the last one,
/// then releases down to the current ones; its allocation and free counts count those settles,
/// not rows. Main thread only (between phases), like every change of rows. Must not outlive its
/// accountant or its population account.
class SharedCharge {
 public:
  SharedCharge(Accountant& accountant, PopulationAccount& account, TagId tag)
      : accountant_(&accountant), account_(&account), tag_(tag) {}
  SharedCharge(const SharedCharge&) = delete;
  SharedCharge& operator=(const SharedCharge&) = delete;
  /// Releases what was charged (at once: the accountant may settle only after this is gone).
  ~SharedCharge();

  /// Records the owner's current figures; charged at the accountant's next settle(). Inline and
  /// call-free but for the first change after a settle.
  void set(std::size_t used, std::size_t held) {
    account_->unsettled_shared_used_ += static_cast<std::int64_t>(used - used_);
    used_ = used;
    held_ = held;
    high_used_ = std::max(high_used_, used);
    high_held_ = std::max(high_held_, held);
    if (!queued_) queue();
  }
  /// set(used() + bytes, held()), in fewer steps: a row appended within the held storage (the
  /// row stores call these on every birth and death).
  void add_used(std::size_t bytes) {
    account_->unsettled_shared_used_ += static_cast<std::int64_t>(bytes);
    used_ += bytes;
    high_used_ = std::max(high_used_, used_);
    if (!queued_) queue();
  }
  /// set(used() - bytes, held()): a row dropped, its storage kept (no high can change).
  void remove_used(std::size_t bytes) {
    account_->unsettled_shared_used_ -= static_cast<std::int64_t>(bytes);
    used_ -= bytes;
    if (!queued_) queue();
  }
  /// The current figures (charged by the next settle()).
  std::size_t used() const { return used_; }
  std::size_t held() const { return held_; }
  PopulationAccount& account() const { return *account_; }
  TagId tag() const { return tag_; }

 private:
  friend class Accountant;
  void queue();
  /// Charges the difference between the charged and the current figures (from settle()).
  void apply();

  Accountant* accountant_;
  PopulationAccount* account_;
  TagId tag_;
  std::size_t used_ = 0, held_ = 0;                  // current
  std::size_t high_used_ = 0, high_held_ = 0;        // highest since the last settle
  std::size_t charged_used_ = 0, charged_held_ = 0;  // as charged
  bool queued_ = false;
};

/// Moves a population-level charge of `tag` whose used and held bytes are equal (storage the
/// population allocated itself) from `from` to `to` bytes, at once: for figures that change
/// rarely (a column's capacity, a permutation's scratch).
inline void recharge_shared(ChargeContext& ctx, PopulationAccount& account, TagId tag,
                            std::size_t from, std::size_t to) {
  if (to > from) ctx.charge_shared(account, tag, to - from, to - from);
  if (to < from) ctx.release_shared(account, tag, from - to, from - to);
}

}  // namespace cohort::memory
