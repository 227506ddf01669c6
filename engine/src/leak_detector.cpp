#include "cohort/engine/leak_detector.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace cohort::engine {

namespace {

// The last third of a leaking window grows at least this share of the whole window's slope; a
// linear leak keeps ~1, a series saturating towards a ceiling falls well below.
constexpr double kPlateauShare = 1.0 / 3;

}  // namespace

const char* to_string(LeakVerdict v) {
  switch (v) {
    case LeakVerdict::insufficient_data:
      return "insufficient_data";
    case LeakVerdict::no_leak:
      return "no_leak";
    case LeakVerdict::leak:
      return "leak";
  }
  return "?";
}

LeakAnalysis analyse_leak(std::span<const double> steps, std::span<const double> bytes,
                          const LeakCriteria& criteria) {
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t i = 0; i < std::min(steps.size(), bytes.size()); ++i)
    if (steps[i] >= static_cast<double>(criteria.warmup)) {
      x.push_back(steps[i]);
      y.push_back(bytes[i]);
    }
  LeakAnalysis a;
  a.samples = x.size();
  const std::size_t needed = std::max<std::size_t>(criteria.min_samples, 3);
  char text[256];
  if (a.samples < needed) {
    std::snprintf(text, sizeof text,
                  "%zu samples after the warm-up (step %llu); at least %zu are needed for a "
                  "verdict",
                  a.samples, static_cast<unsigned long long>(criteria.warmup), needed);
    a.reason = text;
    return a;
  }
  a.fit = fit_line(x, y);
  const double window = x.back() - x.front();
  const double start_level = a.fit.intercept + a.fit.slope * x.front();
  // A start level at or below zero makes any growth "infinitely" relative; treat as 1 byte.
  a.relative_growth = a.fit.slope * window / std::max(start_level, 1.0);
  const bool significant = a.fit.p_value < criteria.alpha;
  const bool steep = a.fit.slope > criteria.slope_bytes_per_step;
  const bool large = a.relative_growth > criteria.relative;
  a.verdict = significant && steep && large ? LeakVerdict::leak : LeakVerdict::no_leak;
  // A leak keeps growing; growth that stops (a history filling to its budget, a cache reaching
  // its size) is not one. So the last third of the window must still grow: steeper than the
  // threshold and than kPlateauShare of the whole window's slope.
  if (a.verdict == LeakVerdict::leak) {
    const std::size_t later = x.size() - std::max<std::size_t>(3, x.size() / 3);
    const std::vector<double> tail_x(x.begin() + static_cast<std::ptrdiff_t>(later), x.end());
    const std::vector<double> tail_y(y.begin() + static_cast<std::ptrdiff_t>(later), y.end());
    const LineFit tail = fit_line(tail_x, tail_y);
    if (tail.slope <= criteria.slope_bytes_per_step || tail.slope < kPlateauShare * a.fit.slope) {
      a.verdict = LeakVerdict::no_leak;
      std::snprintf(text, sizeof text,
                    "slope %.4g B/step over %zu samples, but %.4g B/step over the later %zu: "
                    "growth that levels off (a plateau), not a leak",
                    a.fit.slope, a.samples, tail.slope, tail_x.size());
      a.reason = text;
      return a;
    }
  }
  std::snprintf(text, sizeof text,
                "slope %.4g B/step (95%% CI %.4g..%.4g, p=%.3g, R2=%.3f) over %zu samples, "
                "growth %.3g%% of the starting level; %s",
                a.fit.slope, a.fit.ci_low, a.fit.ci_high, a.fit.p_value, a.fit.r2, a.samples,
                100 * a.relative_growth,
                a.verdict == LeakVerdict::leak ? "significant and above the thresholds"
                : !significant                 ? "not significant"
                : !steep                       ? "below the bytes-per-step threshold"
                                               : "below the relative threshold");
  a.reason = text;
  return a;
}

}  // namespace cohort::engine
