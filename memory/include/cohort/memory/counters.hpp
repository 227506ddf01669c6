#pragma once
// Counters kept for each (account, tag), and the per-thread deltas merged into them.

#include <algorithm>
#include <cstdint>

namespace cohort::memory {

/// Settled counters of one account and tag.
struct TagCounters {
  std::uint64_t used = 0;         ///< bytes callers asked for and still hold
  std::uint64_t held = 0;         ///< bytes really occupied (size-class chunks)
  std::uint64_t peak_used = 0;    ///< high-water of `used` (see Accountant::settle for bounds)
  std::uint64_t peak_held = 0;    ///< high-water of `held`
  std::uint64_t allocations = 0;  ///< successful allocations or charges
  std::uint64_t frees = 0;        ///< frees or releases
  std::uint64_t refusals = 0;     ///< requests refused by a budget
  std::uint64_t reclaimed = 0;    ///< bytes freed by reclaimers

  TagCounters& operator+=(const TagCounters& o) {
    used += o.used;
    held += o.held;
    peak_used += o.peak_used;
    peak_held += o.peak_held;
    allocations += o.allocations;
    frees += o.frees;
    refusals += o.refusals;
    reclaimed += o.reclaimed;
    return *this;
  }
  bool operator==(const TagCounters&) const = default;
};

/// Unsettled change to one TagCounters made by one thread since the last settle.
/// `used_high`/`held_high` are the running maxima of the cumulative change, so a settle can bound
/// the peak reached in between.
struct TagDelta {
  std::int64_t used = 0;
  std::int64_t held = 0;
  std::int64_t used_high = 0;
  std::int64_t held_high = 0;
  std::uint64_t allocations = 0;
  std::uint64_t frees = 0;
  std::uint64_t refusals = 0;
  std::uint64_t reclaimed = 0;

  void add(std::uint64_t bytes, std::uint64_t held_bytes) {
    used += static_cast<std::int64_t>(bytes);
    held += static_cast<std::int64_t>(held_bytes);
    used_high = std::max(used_high, used);
    held_high = std::max(held_high, held);
    ++allocations;
  }
  void remove(std::uint64_t bytes, std::uint64_t held_bytes) {
    used -= static_cast<std::int64_t>(bytes);
    held -= static_cast<std::int64_t>(held_bytes);
    ++frees;
  }
  bool empty() const { return allocations == 0 && frees == 0 && refusals == 0; }
};

}  // namespace cohort::memory
