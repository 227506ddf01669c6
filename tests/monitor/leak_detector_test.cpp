// The leak rule on synthetic series: linear growth with noise is a leak, flat or noisy series,
// slow growth, growth-then-shrink and too few samples are not.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "cohort/engine/leak_detector.hpp"

using namespace cohort::engine;

namespace {

struct Series {
  std::vector<double> steps;
  std::vector<double> bytes;
};

// Samples every 10 steps up to `last` of base + f(step) + Gaussian noise of `sigma` bytes.
template <class F>
Series make_series(std::uint64_t last, double sigma, F&& f, std::uint64_t seed = 1) {
  std::mt19937_64 gen(seed);
  // A zero sigma is an exact series: std::normal_distribution requires sigma > 0.
  std::normal_distribution<double> noise(0, sigma > 0 ? sigma : 1);
  Series s;
  for (std::uint64_t step = 0; step <= last; step += 10) {
    s.steps.push_back(static_cast<double>(step));
    s.bytes.push_back(1e6 + f(static_cast<double>(step)) + (sigma > 0 ? noise(gen) : 0));
  }
  return s;
}

LeakCriteria criteria() {
  LeakCriteria c;
  c.warmup = 50;
  c.min_samples = 10;
  c.slope_bytes_per_step = 64;
  c.relative = 0.05;
  return c;
}

}  // namespace

TEST_CASE("steady linear growth under noise is a leak") {
  const Series s = make_series(1000, 5000, [](double step) { return 500 * step; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.verdict == LeakVerdict::leak);
  CHECK(a.fit.slope == doctest::Approx(500).epsilon(0.05));
  CHECK(a.samples == 96);
}

TEST_CASE("a flat noisy series is not a leak") {
  const Series s = make_series(1000, 5000, [](double) { return 0.0; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.verdict == LeakVerdict::no_leak);
}

TEST_CASE("growth below the bytes-per-step threshold is not a leak even when significant") {
  const Series s = make_series(1000, 0, [](double step) { return 10 * step; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.fit.p_value < 1e-6);
  CHECK(a.verdict == LeakVerdict::no_leak);
  CHECK(a.reason.find("bytes-per-step") != std::string::npos);
}

TEST_CASE("growth that is small relative to the total is not a leak") {
  // 100 B/step over 950 steps is 95 kB on a 1 MB base: under 10%.
  LeakCriteria c = criteria();
  c.relative = 0.10;
  const Series s = make_series(1000, 0, [](double step) { return 100 * step; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, c);
  CHECK(a.verdict == LeakVerdict::no_leak);
  CHECK(a.reason.find("relative") != std::string::npos);
}

TEST_CASE("a population that grows then shrinks is not a leak") {
  const Series s = make_series(
      1000, 2000, [](double step) { return step <= 500 ? 400 * step : 400 * (1000 - step); });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.verdict == LeakVerdict::no_leak);
}

TEST_CASE("start-up growth inside the warm-up is ignored") {
  const Series s =
      make_series(1000, 1000, [](double step) { return step < 50 ? 1e4 * step : 5e5; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.verdict == LeakVerdict::no_leak);
}

TEST_CASE("too few samples after the warm-up give no verdict and say so") {
  const Series s = make_series(120, 0, [](double step) { return 1e4 * step; });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.verdict == LeakVerdict::insufficient_data);
  CHECK(a.samples == 8);  // steps 50, 60, ..., 120
  CHECK(a.reason == "8 samples after the warm-up (step 50); at least 10 are needed for a verdict");
}

TEST_CASE("growth that levels off at a plateau is not a leak") {
  // Fills towards a 2 MB ceiling with a time constant of 100 steps, as a history filling to its
  // budget does: steep and significant over the whole window, flat in its later half.
  const Series s =
      make_series(1000, 2000, [](double step) { return 2e6 * (1 - std::exp(-step / 100)); });
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, criteria());
  CHECK(a.fit.p_value < criteria().alpha);
  CHECK(a.fit.slope > criteria().slope_bytes_per_step);
  CHECK(a.verdict == LeakVerdict::no_leak);
  CHECK(a.reason.find("growth that levels off (a plateau), not a leak") != std::string::npos);
}

TEST_CASE("the default criteria give a verdict on 100 steps sampled every 10") {
  const Series s = make_series(100, 0, [](double) { return 0.0; });
  LeakCriteria c;
  c.warmup = 20;
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, c);
  CHECK(a.samples == 9);
  CHECK(a.verdict == LeakVerdict::no_leak);
}

TEST_CASE("a history that grew in one block and then stayed flat is not a leak") {
  // belief_agents' shape: a block of history per agent at step 130, flat before and after.
  const Series s = make_series(200, 20000, [](double step) { return step >= 130 ? 7e6 : 0.0; });
  LeakCriteria c = criteria();
  c.warmup = 20;
  const LeakAnalysis a = analyse_leak(s.steps, s.bytes, c);
  CHECK(a.verdict == LeakVerdict::no_leak);
  CHECK(a.reason.find("(a plateau), not a leak") != std::string::npos);
}
