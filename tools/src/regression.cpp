#include "cohort/tools/regression.hpp"

#include <algorithm>

namespace cohort::tools {

const std::vector<std::string>& profile_metrics() {
  static const std::vector<std::string> m{"seconds_per_step", "peak_rss", "peak_accounted",
                                          "bytes_per_agent"};
  return m;
}

MetricCheck check_metric(const std::string& metric, double value,
                         const std::vector<double>& baseline, double tolerance) {
  MetricCheck c;
  c.metric = metric;
  c.value = value;
  c.baseline = spread_of(baseline);
  c.baseline_runs = baseline.size();
  c.change = c.baseline.median != 0 ? (value - c.baseline.median) / c.baseline.median
             : value > 0            ? 1.0
                                    : 0.0;
  c.regression = c.change > tolerance;
  return c;
}

std::vector<Profile> baseline_of(const std::vector<Profile>& history, const Profile& candidate,
                                 std::size_t k) {
  std::vector<Profile> out;
  for (const Profile& p : history) {
    if (p.id >= candidate.id) break;  // ids sort by time: only earlier runs
    if (p.name() == candidate.name() && p.config_hash() == candidate.config_hash())
      out.push_back(p);
  }
  if (out.size() > k) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(k));
  return out;
}

std::vector<MetricCheck> check_profile(const Profile& candidate,
                                       const std::vector<Profile>& baseline, double tolerance) {
  std::vector<MetricCheck> out;
  for (const std::string& m : profile_metrics()) {
    if (!candidate.data.contains(m) || !candidate.data[m].is_number()) continue;
    std::vector<double> values;
    for (const Profile& b : baseline)
      if (b.data.contains(m) && b.data[m].is_number()) values.push_back(b.data[m].get<double>());
    if (values.empty()) continue;
    out.push_back(check_metric(m, candidate.data[m].get<double>(), values, tolerance));
  }
  return out;
}

}  // namespace cohort::tools
