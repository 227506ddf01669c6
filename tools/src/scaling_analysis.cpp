#include "cohort/tools/scaling_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace cohort::tools {

Spread spread_of(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("spread_of: no values");
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  Spread s;
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  double mean = 0;
  for (double v : values)
    mean += v;
  mean /= static_cast<double>(n);
  double var = 0;
  for (double v : values)
    var += (v - mean) * (v - mean);
  // Sample standard deviation; a single run has no spread.
  const double sd = n > 1 ? std::sqrt(var / static_cast<double>(n - 1)) : 0;
  s.cv = mean != 0 ? sd / mean : 0;
  return s;
}

std::vector<ScaleSummary> summarise_scales(const std::vector<ScaleRun>& runs) {
  std::vector<std::string> order;
  for (const ScaleRun& r : runs)
    if (std::find(order.begin(), order.end(), r.scale) == order.end()) order.push_back(r.scale);
  std::vector<ScaleSummary> out;
  for (const std::string& scale : order) {
    std::vector<double> agents, time, rss, per_agent;
    for (const ScaleRun& r : runs)
      if (r.scale == scale) {
        agents.push_back(static_cast<double>(r.agents));
        time.push_back(r.seconds_per_step);
        rss.push_back(r.peak_rss);
        per_agent.push_back(r.accounted_per_agent);
      }
    ScaleSummary s;
    s.scale = scale;
    s.agents = static_cast<std::uint64_t>(spread_of(agents).median);
    s.runs = agents.size();
    s.seconds_per_step = spread_of(time);
    s.peak_rss = spread_of(rss);
    s.accounted_per_agent = spread_of(per_agent);
    out.push_back(std::move(s));
  }
  return out;
}

ScalingFit fit_scaling(const std::vector<ScaleRun>& runs, double baseline_rss) {
  ScalingFit fit;
  std::set<std::uint64_t> sizes;
  std::set<std::string> scales;
  for (const ScaleRun& r : runs) {
    sizes.insert(r.agents);
    scales.insert(r.scale);
  }
  if (sizes.size() < 3) {
    fit.refusal =
        sizes.size() < scales.size()
            ? "the scale values gave only " + std::to_string(sizes.size()) +
                  " distinct realised population size(s) for " + std::to_string(scales.size()) +
                  " scale values: the scaled key does not set the number of agents"
            : "need at least 3 distinct population sizes, got " + std::to_string(sizes.size());
    return fit;
  }
  fit.rss_baseline = std::all_of(runs.begin(), runs.end(),
                                 [&](const ScaleRun& r) { return r.peak_rss > baseline_rss; })
                         ? baseline_rss
                         : 0;
  std::vector<double> n, t, m, a;
  for (const ScaleRun& r : runs) {
    if (r.agents == 0 || !(r.seconds_per_step > 0) || !(r.peak_rss > 0)) {
      fit.refusal = "a run at scale " + r.scale + " measured a zero population, time or memory";
      return fit;
    }
    n.push_back(static_cast<double>(r.agents));
    t.push_back(r.seconds_per_step);
    m.push_back(r.peak_rss - fit.rss_baseline);
    a.push_back(r.accounted_per_agent * static_cast<double>(r.agents));
  }
  fit.time = engine::fit_power_law(n, t);
  fit.memory = engine::fit_power_law(n, m);
  if (std::all_of(a.begin(), a.end(), [](double v) { return v > 0; }))
    fit.accounted = engine::fit_power_law(n, a);
  return fit;
}

}  // namespace cohort::tools
