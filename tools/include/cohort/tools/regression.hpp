#pragma once
// The regression rule of `cohort profiles`: a metric regresses when it is worse than the
// baseline, the median of the last K comparable runs, by more than a tolerance.

#include <string>
#include <vector>

#include "cohort/tools/profile_store.hpp"
#include "cohort/tools/scaling_analysis.hpp"

namespace cohort::tools {

/// The metrics compared, all "lower is better": seconds_per_step, peak_rss, peak_accounted,
/// bytes_per_agent.
const std::vector<std::string>& profile_metrics();

/// One metric of a candidate against its baseline.
struct MetricCheck {
  std::string metric;
  double value = 0;
  Spread baseline;  ///< median, min, max and CV of the baseline runs
  std::size_t baseline_runs = 0;
  double change = 0;  ///< (value - median) / median
  bool regression = false;
};

/// Checks `value` of `metric` against `baseline` values (not empty).
MetricCheck check_metric(const std::string& metric, double value,
                         const std::vector<double>& baseline, double tolerance);

/// The last `k` profiles before `candidate` in `history` (ordered oldest first) with the same
/// name and config hash as the candidate.
std::vector<Profile> baseline_of(const std::vector<Profile>& history, const Profile& candidate,
                                 std::size_t k);

/// Every metric of `candidate` against `baseline` (skipping metrics a profile lacks).
std::vector<MetricCheck> check_profile(const Profile& candidate,
                                       const std::vector<Profile>& baseline, double tolerance);

}  // namespace cohort::tools
