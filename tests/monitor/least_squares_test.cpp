// Least-squares fits: exact lines, power laws with known exponents under noise, and the 95%
// confidence interval's coverage over many synthetic data sets.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "cohort/engine/least_squares.hpp"

using namespace cohort::engine;

TEST_CASE("fit_line recovers an exact line with R2 1 and a zero-width interval") {
  const std::vector<double> x{1, 2, 3, 4, 5};
  std::vector<double> y;
  for (double v : x)
    y.push_back(3 + 2 * v);
  const LineFit f = fit_line(x, y);
  CHECK(f.slope == doctest::Approx(2));
  CHECK(f.intercept == doctest::Approx(3));
  CHECK(f.r2 == doctest::Approx(1));
  CHECK(f.slope_se == doctest::Approx(0).epsilon(1e-9));
  CHECK(f.p_value < 1e-9);
  CHECK(f.ci_low == doctest::Approx(2));
  CHECK(f.ci_high == doctest::Approx(2));
}

TEST_CASE("fit_line of a flat series has slope 0 and is not significant") {
  const std::vector<double> x{0, 10, 20, 30};
  const std::vector<double> y{5, 5, 5, 5};
  const LineFit f = fit_line(x, y);
  CHECK(f.slope == 0);
  CHECK(f.p_value == 1);
}

TEST_CASE("fit_line matches a hand-computed example") {
  // x = 1..5, y = 2, 4, 5, 4, 5: slope 0.6, intercept 2.2, SSE 2.4, R2 0.6, se = sqrt(0.08).
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::vector<double> y{2, 4, 5, 4, 5};
  const LineFit f = fit_line(x, y);
  CHECK(f.slope == doctest::Approx(0.6));
  CHECK(f.intercept == doctest::Approx(2.2));
  CHECK(f.r2 == doctest::Approx(0.6));
  CHECK(f.slope_se == doctest::Approx(std::sqrt(0.08)));
  // t(0.975, 3) = 3.182446
  CHECK(f.ci_high - f.slope == doctest::Approx(3.182446 * std::sqrt(0.08)).epsilon(1e-5));
  // Two-sided p of t = 2.1213 with 3 dof, from the closed-form t(3) CDF.
  CHECK(f.p_value == doctest::Approx(0.12403).epsilon(1e-3));
}

TEST_CASE("fit_line refuses fewer than 3 points and constant x") {
  const std::vector<double> two{1, 2};
  CHECK_THROWS_AS(fit_line(two, two), std::invalid_argument);
  const std::vector<double> same{4, 4, 4};
  const std::vector<double> y{1, 2, 3};
  CHECK_THROWS_AS(fit_line(same, y), std::invalid_argument);
}

TEST_CASE("t_quantile matches tables") {
  CHECK(t_quantile(0.95, 1) == doctest::Approx(12.7062).epsilon(1e-4));
  CHECK(t_quantile(0.95, 10) == doctest::Approx(2.2281).epsilon(1e-4));
  CHECK(t_quantile(0.95, 1e6) == doctest::Approx(1.96).epsilon(1e-3));
}

TEST_CASE("fit_power_law recovers known exponents from noisy data") {
  std::mt19937_64 gen(12345);
  std::normal_distribution<double> noise(0, 0.05);  // about 5% multiplicative noise
  for (const double a : {0.5, 1.0, 1.3, 2.0}) {
    std::vector<double> n;
    std::vector<double> t;
    for (double size = 1000; size <= 64000; size *= 2)
      for (int rep = 0; rep < 3; ++rep) {
        n.push_back(size);
        t.push_back(2e-6 * std::pow(size, a) * std::exp(noise(gen)));
      }
    const PowerLawFit p = fit_power_law(n, t);
    CAPTURE(a);
    CHECK(p.exponent == doctest::Approx(a).epsilon(0.05));
    CHECK(p.line.ci_low < a);
    CHECK(p.line.ci_high > a);
    CHECK(p.line.r2 > 0.95);
    CHECK(p.coefficient == doctest::Approx(2e-6).epsilon(0.5));
  }
}

TEST_CASE("fit_power_law refuses non-positive values") {
  const std::vector<double> x{1, 2, 0};
  const std::vector<double> y{1, 2, 3};
  CHECK_THROWS_AS(fit_power_law(x, y), std::invalid_argument);
}

TEST_CASE("the 95% interval covers the true slope in about 95% of noisy data sets") {
  // 4000 data sets of 6 points: the coverage's standard error is about 0.34%, so [93.5%, 96.5%]
  // fails only on a real miscalibration (e.g. a normal quantile instead of Student's t, which
  // would cover about 91% with 4 degrees of freedom).
  std::mt19937_64 gen(2026);
  std::normal_distribution<double> noise(0, 1);
  const std::vector<double> x{1, 2, 3, 4, 5, 6};
  int covered = 0;
  const int trials = 4000;
  for (int i = 0; i < trials; ++i) {
    std::vector<double> y;
    for (double v : x)
      y.push_back(10 + 0.7 * v + noise(gen));
    const LineFit f = fit_line(x, y);
    if (f.ci_low <= 0.7 && 0.7 <= f.ci_high) ++covered;
  }
  const double coverage = static_cast<double>(covered) / trials;
  CAPTURE(coverage);
  CHECK(coverage > 0.935);
  CHECK(coverage < 0.965);
}
