#include "cohort/memory/agent_ledger.hpp"

#include "cohort/memory/row_gather.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cohort::memory {

namespace {
// Ledger words keep `used` below bit 31, so no limit may admit more than kMaxBytes.
void validate(const BudgetLimits& limits) {
  if (limits.hard > BudgetLimits::kMaxBytes || limits.soft > BudgetLimits::kMaxBytes)
    throw std::invalid_argument("budget limits must not exceed " +
                                std::to_string(BudgetLimits::kMaxBytes) + " bytes (hard " +
                                std::to_string(limits.hard) + ", soft " +
                                std::to_string(limits.soft) + ")");
}
}  // namespace

AgentLedger::AgentLedger(BudgetLimits defaults) : defaults_(defaults) {
  validate(defaults);
}

void AgentLedger::set_default_limits(const BudgetLimits& limits) {
  validate(limits);
  defaults_ = limits;
}

void AgentLedger::set_limits(AgentRow row, const BudgetLimits& limits) {
  validate(limits);
  overrides_[row] = limits;
  set_flags(row, kHasOverride);
}

void AgentLedger::clear_limits(AgentRow row) {
  overrides_.erase(row);
  clear_flags(row, kHasOverride);
}

AgentRow AgentLedger::push_back() {
  // Room in both columns first: a std::bad_alloc then changes neither (their lengths must agree).
  if (flags_.size() == flags_.capacity())
    flags_.reserve(std::max<std::size_t>(1, 2 * flags_.size()));  // vector's own growth
  usage_.push_back(0);
  flags_.push_back(0);
  return static_cast<AgentRow>(usage_.size() - 1);
}

std::uint64_t AgentLedger::swap_remove(AgentRow row) {
  const std::uint64_t residual = used(row);
  const AgentRow last = static_cast<AgentRow>(usage_.size() - 1);
  if (flags_[row] & kHasOverride) overrides_.erase(row);
  if (row != last) {
    usage_[row] = usage_[last];  // the special bit travels with its flags
    flags_[row] = flags_[last];
    if (flags_[last] & kHasOverride) {
      auto node = overrides_.extract(last);
      node.key() = row;
      overrides_.insert(std::move(node));
    }
  }
  usage_.pop_back();
  flags_.pop_back();
  return residual;
}

namespace {
// True when every value is zero: an OR-reduction the compiler vectorises, a block at a time so a
// charged column stops early. A sequential read costs about a tenth of a random-order gather.
template <class Array>
bool all_zero(const Array& values) {
  using T = typename Array::value_type;
  constexpr std::size_t kBlock = 4096;
  for (std::size_t at = 0; at < values.size(); at += kBlock) {
    const std::size_t end = std::min(at + kBlock, values.size());
    T bits = 0;
    for (std::size_t i = at; i < end; ++i)
      bits |= values[i];
    if (bits != 0) return false;
  }
  return true;
}
}  // namespace

void AgentLedger::permute(std::span<const AgentRow> order, RowArray<std::uint64_t>& spare) {
  // Agents of most models never charge variable-size data, and flags are rare: a column of zeros
  // is its own permutation, so it is checked for that (a sequential read) before it is gathered.
  if (!all_zero(flags_)) permute_rows_through(flags_.data(), order, spare.data());
  if (!all_zero(usage_)) {
    if (spare.size() == usage_.size()) {
      gather_rows(spare.data(), usage_.data(), order);
      usage_.swap(spare);
    } else {
      permute_rows_through(usage_.data(), order, spare.data());
    }
  }
  if (overrides_.empty()) return;
  std::unordered_map<AgentRow, BudgetLimits> overrides;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (flags_[i] & kHasOverride)
      overrides.emplace(static_cast<AgentRow>(i), overrides_.at(order[i]));
  overrides_.swap(overrides);
}

void AgentLedger::restore_flags(AgentRow row, std::uint8_t flags) {
  const std::uint8_t keep = flags_[row] & kHasOverride;
  clear_flags(row, static_cast<std::uint8_t>(~kHasOverride));
  set_flags(row, static_cast<std::uint8_t>((flags & ~kHasOverride) | keep));
}

void AgentLedger::reserve(std::size_t agents) {
  usage_.reserve(agents);
  flags_.reserve(agents);
}

std::size_t AgentLedger::capacity_bytes() const {
  return usage_.capacity() * sizeof(std::uint64_t) + flags_.capacity() * sizeof(std::uint8_t);
}

}  // namespace cohort::memory
