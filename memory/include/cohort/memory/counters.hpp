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
///
/// The cumulative change of used (and of held) is kept as its running high plus the room below
/// it: used() == used_high - used_room, with used_room >= 0. An allocation subtracts from the
/// room and raises the high only when the room goes negative (rare in steady churn; a free never
/// raises a high); a free adds to the room. So tracking the exact running high costs no load or
/// store beyond the counter itself, and a settle can bound the peak reached in between.
///
/// Field order matters for speed: add() writes used_room, held_room and allocations, remove()
/// used_room, held_room and frees, and no two fields one of them writes are adjacent. Adjacent
/// ones let GCC's SLP vectoriser merge two adds into one 128-bit load/add/store, and the next
/// call's 128-bit load then waits on that store every time (measured: ~2x slower churn).
struct TagDelta {
  std::int64_t used_room = 0;  ///< used_high minus the current change of used
  std::int64_t used_high = 0;  ///< running high of the change of used
  std::int64_t held_room = 0;
  std::int64_t held_high = 0;
  std::uint64_t allocations = 0;
  std::uint64_t refusals = 0;
  std::uint64_t frees = 0;
  std::uint64_t reclaimed = 0;

  /// Change of used bytes since the last settle (negative after frees of older allocations).
  std::int64_t used() const { return used_high - used_room; }
  /// Change of held bytes since the last settle.
  std::int64_t held() const { return held_high - held_room; }

  void add(std::uint64_t bytes, std::uint64_t held_bytes) {
    used_room -= static_cast<std::int64_t>(bytes);
    if (used_room < 0) [[unlikely]] {
      used_high -= used_room;
      used_room = 0;
    }
    held_room -= static_cast<std::int64_t>(held_bytes);
    if (held_room < 0) [[unlikely]] {
      held_high -= held_room;
      held_room = 0;
    }
    ++allocations;
  }
  void remove(std::uint64_t bytes, std::uint64_t held_bytes) {
    used_room += static_cast<std::int64_t>(bytes);
    held_room += static_cast<std::int64_t>(held_bytes);
    ++frees;
  }
  bool empty() const { return allocations == 0 && frees == 0 && refusals == 0; }
};

}  // namespace cohort::memory
