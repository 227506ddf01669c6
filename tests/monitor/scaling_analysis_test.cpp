// `cohort bench`'s analysis: spreads of repetitions, grouping by scale, the power-law fits and
// the refusal to fit input whose realised population did not scale.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "cohort/tools/scaling_analysis.hpp"

using namespace cohort::engine;
using namespace cohort::tools;

namespace {

// Runs at the given realised sizes, 3 repetitions each, with time ∝ N^1.2 and RSS ∝ N^0.8.
std::vector<ScaleRun> synthetic_runs(const std::vector<std::uint64_t>& sizes) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> noise(0, 0.03);
  std::vector<ScaleRun> runs;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    for (int rep = 0; rep < 3; ++rep) {
      const double n = static_cast<double>(sizes[i]);
      runs.push_back({"v" + std::to_string(i), sizes[i],
                      1e-8 * std::pow(n, 1.2) * std::exp(noise(gen)),
                      5e4 * std::pow(n, 0.8) * std::exp(noise(gen)), 300});
    }
  return runs;
}

}  // namespace

TEST_CASE("spread_of gives median, extremes and the sample coefficient of variation") {
  const Spread s = spread_of({4, 1, 3, 2});
  CHECK(s.median == 2.5);
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK(s.cv == doctest::Approx(std::sqrt(5.0 / 3.0) / 2.5));
  CHECK(spread_of({7}).cv == 0);
  CHECK_THROWS_AS(spread_of({}), std::invalid_argument);
}

TEST_CASE("summarise_scales groups repetitions by scale value in order") {
  const auto summary = summarise_scales(synthetic_runs({1000, 2000, 4000}));
  REQUIRE(summary.size() == 3);
  CHECK(summary[0].scale == "v0");
  CHECK(summary[2].agents == 4000);
  CHECK(summary[1].runs == 3);
  CHECK(summary[1].seconds_per_step.min <= summary[1].seconds_per_step.median);
}

TEST_CASE("fit_scaling recovers the time and memory exponents with intervals around them") {
  const ScalingFit fit = fit_scaling(synthetic_runs({1000, 2000, 4000, 8000, 16000}));
  REQUIRE(fit.refusal.empty());
  REQUIRE(fit.time);
  REQUIRE(fit.memory);
  CHECK(fit.time->exponent == doctest::Approx(1.2).epsilon(0.03));
  CHECK(fit.time->line.ci_low < 1.2);
  CHECK(fit.time->line.ci_high > 1.2);
  CHECK(fit.memory->exponent == doctest::Approx(0.8).epsilon(0.03));
  CHECK(fit.memory->line.n == 15);
}

TEST_CASE("fit_scaling refuses when the scale did not change the realised population") {
  std::vector<ScaleRun> runs = synthetic_runs({5000, 5000, 5000, 5000});
  const ScalingFit fit = fit_scaling(runs);
  CHECK_FALSE(fit.time);
  CHECK_FALSE(fit.memory);
  CHECK(fit.refusal ==
        "the scale values gave only 1 distinct realised population size(s) for 4 scale values: "
        "the scaled key does not set the number of agents");
}

TEST_CASE("fit_scaling refuses fewer than 3 distinct sizes") {
  const ScalingFit fit = fit_scaling(synthetic_runs({1000, 2000}));
  CHECK(fit.refusal == "need at least 3 distinct population sizes, got 2");
}

TEST_CASE("fit_scaling fits memory above the process baseline, and accounted bytes") {
  // 60 MB of program and libraries plus 2 KB per agent: linear growth on a fixed base.
  std::vector<ScaleRun> runs;
  for (const std::uint64_t n : {1000u, 4000u, 16000u, 64000u})
    runs.push_back(
        {"v", n, 1e-6 * static_cast<double>(n), 60e6 + 2048.0 * static_cast<double>(n), 2048});
  const ScalingFit total = fit_scaling(runs);
  REQUIRE(total.memory);
  CHECK(total.memory->exponent < 0.6);  // the base makes linear growth look sublinear
  const ScalingFit above = fit_scaling(runs, 60e6);
  REQUIRE(above.memory);
  CHECK(above.memory->exponent == doctest::Approx(1.0));
  REQUIRE(above.accounted);
  CHECK(above.accounted->exponent == doctest::Approx(1.0));
  CHECK(above.accounted->coefficient == doctest::Approx(2048));
  // A baseline above a run's RSS (noise at small scales): total RSS is fitted instead.
  const ScalingFit fallback = fit_scaling(runs, 63e6);
  CHECK(fallback.rss_baseline == 0);
  REQUIRE(fallback.memory);
  CHECK(fallback.memory->exponent == doctest::Approx(total.memory->exponent));
}
