#pragma once
// Ordinary least-squares line fits with the statistics needed to judge them: R², the slope's
// standard error, a two-sided significance test and a confidence interval (Student's t).

#include <cstddef>
#include <span>

namespace cohort::engine {

/// A fitted line y = intercept + slope * x and how well it is determined.
struct LineFit {
  std::size_t n = 0;  ///< points fitted
  double slope = 0;
  double intercept = 0;
  double r2 = 0;        ///< coefficient of determination (1 when the residuals are all 0)
  double slope_se = 0;  ///< standard error of the slope (needs n >= 3)
  double t = 0;         ///< slope / slope_se (infinite for an exact non-zero slope)
  double p_value = 1;   ///< two-sided p-value of "slope == 0"
  double ci_low = 0;    ///< confidence interval of the slope at the level asked for
  double ci_high = 0;
};

/// Fits y against x. Needs n >= 3 points and at least two distinct x values; throws
/// std::invalid_argument otherwise. `confidence` is the interval's level (0.95 = 95%).
LineFit fit_line(std::span<const double> x, std::span<const double> y, double confidence = 0.95);

/// A power law y = coefficient * x^exponent fitted as a line in log-log space.
struct PowerLawFit {
  double exponent = 0;     ///< the log-log slope
  double coefficient = 0;  ///< exp(intercept)
  LineFit line;            ///< the log-log fit (r2, CI of the exponent in ci_low/ci_high)
};

/// Fits y = c * x^a by least squares on (ln x, ln y). Every x and y must be > 0; throws
/// std::invalid_argument otherwise or as fit_line does.
PowerLawFit fit_power_law(std::span<const double> x, std::span<const double> y,
                          double confidence = 0.95);

/// The two-sided Student's t quantile for `confidence` with `dof` degrees of freedom.
double t_quantile(double confidence, double dof);

}  // namespace cohort::engine
