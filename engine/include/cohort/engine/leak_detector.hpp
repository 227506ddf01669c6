#pragma once
// Decides whether a series of memory samples (bytes against step) grows like a leak.

#include <cstdint>
#include <span>
#include <string>

#include "cohort/engine/least_squares.hpp"

namespace cohort::engine {

/// When a growing series counts as a leak.
struct LeakCriteria {
  std::uint64_t warmup = 0;          ///< samples before this step are ignored (start-up growth)
  std::size_t min_samples = 8;       ///< fewer samples after warm-up: no verdict
  double slope_bytes_per_step = 64;  ///< the fitted slope must exceed this
  double relative = 0.05;            ///< and the growth over the window must exceed this share
                                     ///< of the fitted level at the window's start
  double alpha = 0.01;               ///< significance level of the slope's t-test
};

/// The detector's answer.
enum class LeakVerdict : std::uint8_t { insufficient_data, no_leak, leak };

/// "insufficient_data", "no_leak" or "leak".
const char* to_string(LeakVerdict v);

/// A verdict with the evidence behind it.
struct LeakAnalysis {
  LeakVerdict verdict = LeakVerdict::insufficient_data;
  std::size_t samples = 0;     ///< samples after warm-up
  LineFit fit;                 ///< valid when samples >= 3 and steps vary
  double relative_growth = 0;  ///< slope * window / fitted start level
  std::string reason;          ///< one sentence a user can read
};

/// Fits bytes against step over the samples at or after `criteria.warmup` and applies the rule:
/// a leak needs p < alpha, slope > slope_bytes_per_step and relative growth > relative, over at
/// least min_samples samples (otherwise the verdict is insufficient_data), and growth that goes
/// on: when the last third of the window grows at under a third of the window's slope (or under
/// slope_bytes_per_step), the series has levelled off and the verdict is no_leak.
LeakAnalysis analyse_leak(std::span<const double> steps, std::span<const double> bytes,
                          const LeakCriteria& criteria);

}  // namespace cohort::engine
