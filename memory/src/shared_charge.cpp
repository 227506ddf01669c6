#include "cohort/memory/shared_charge.hpp"

#include <algorithm>

#include "cohort/memory/accountant.hpp"

namespace cohort::memory {

SharedCharge::~SharedCharge() {
  if (queued_) std::erase(accountant_->queued_charges_, this);
  account_->unsettled_shared_used_ -= static_cast<std::int64_t>(used_ - charged_used_);
  if (charged_used_ > 0 || charged_held_ > 0)
    accountant_->context(0).release_shared(*account_, tag_, charged_used_, charged_held_);
}

void SharedCharge::queue() {
  accountant_->queued_charges_.push_back(this);
  queued_ = true;
}

void SharedCharge::apply() {
  ChargeContext& ctx = accountant_->context(0);
  // Up to the highest figures since the last settle, then down to the current ones, so the tag's
  // running high (its peak) is what it was between the settles.
  const std::size_t up_used = std::max(high_used_, charged_used_);
  const std::size_t up_held = std::max(high_held_, charged_held_);
  if (up_used > charged_used_ || up_held > charged_held_)
    ctx.charge_shared(*account_, tag_, up_used - charged_used_, up_held - charged_held_);
  if (up_used > used_ || up_held > held_)
    ctx.release_shared(*account_, tag_, up_used - used_, up_held - held_);
  account_->unsettled_shared_used_ -= static_cast<std::int64_t>(used_ - charged_used_);
  charged_used_ = high_used_ = used_;
  charged_held_ = high_held_ = held_;
  queued_ = false;
}

}  // namespace cohort::memory
