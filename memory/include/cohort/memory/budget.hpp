#pragma once
// Per-agent byte budgets: soft limit (start reclaiming), hard limit (refuse), and the low-water
// mark reclaiming aims for, which gives the hysteresis that keeps an agent at its limit from
// reclaiming on every allocation.

#include <cstdint>
#include <limits>

namespace cohort::memory {

/// Limits in requested bytes (not size-class rounded; see size_classes.hpp).
struct BudgetLimits {
  /// Largest hard limit: per-agent ledgers count in 32 bits, and headroom is kept so held bytes
  /// (which include size-class rounding) cannot overflow either.
  static constexpr std::uint32_t kMaxBytes = std::numeric_limits<std::uint32_t>::max() / 2;

  std::uint32_t soft = kMaxBytes;       ///< crossing it runs the population's reclaimers
  std::uint32_t hard = kMaxBytes;       ///< an allocation that would cross it is refused
  std::uint32_t low_water = kMaxBytes;  ///< reclaimers free down to this (soft minus hysteresis)

  /// No limit at all.
  static BudgetLimits unlimited() { return {}; }

  /// Limits from a hard limit and fractions of it: soft = soft_fraction * hard, low water =
  /// low_water_fraction * hard. Throws std::invalid_argument unless
  /// 0 < low_water_fraction <= soft_fraction <= 1 and 0 < hard <= kMaxBytes.
  static BudgetLimits from_hard(std::uint64_t hard, double soft_fraction = 0.9,
                                double low_water_fraction = 0.8);

  bool operator==(const BudgetLimits&) const = default;
};

/// Limits on a whole population's bytes (its agents' fixed and variable data together), which a
/// population checks when agents are born: crossing `soft` calls the population's over-soft hook
/// (a model reclaims), and a birth that would cross `hard` is refused. 64-bit, unlike the
/// per-agent limits.
struct PopulationLimits {
  std::uint64_t soft = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t hard = std::numeric_limits<std::uint64_t>::max();

  static PopulationLimits unlimited() { return {}; }
  /// soft = soft_fraction * hard. Throws std::invalid_argument unless hard > 0 and
  /// 0 < soft_fraction <= 1.
  static PopulationLimits from_hard(std::uint64_t hard, double soft_fraction = 0.9);
  bool limited() const { return hard != std::numeric_limits<std::uint64_t>::max(); }

  bool operator==(const PopulationLimits&) const = default;
};

}  // namespace cohort::memory
