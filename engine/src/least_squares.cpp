#include "cohort/engine/least_squares.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace cohort::engine {

double t_quantile(double confidence, double dof) {
  const boost::math::students_t dist(dof);
  return boost::math::quantile(dist, 0.5 + confidence / 2);
}

LineFit fit_line(std::span<const double> x, std::span<const double> y, double confidence) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_line: x and y differ in length");
  const std::size_t n = x.size();
  if (n < 3) throw std::invalid_argument("fit_line: need at least 3 points");
  // Centred sums: numerically stable for large x (steps) and y (bytes).
  double mx = 0;
  double my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0;
  double sxy = 0;
  double syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0) throw std::invalid_argument("fit_line: need at least two distinct x values");

  LineFit f;
  f.n = n;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - (f.intercept + f.slope * x[i]);
    sse += r * r;
  }
  f.r2 = syy > 0 ? std::max(0.0, 1.0 - sse / syy) : 1.0;
  const double dof = static_cast<double>(n - 2);
  f.slope_se = std::sqrt(sse / dof / sxx);
  // An exact fit has no residual noise: any non-zero slope is certain, a zero slope is not.
  if (f.slope_se == 0) {
    f.t = f.slope == 0 ? 0 : std::copysign(std::numeric_limits<double>::infinity(), f.slope);
    f.p_value = f.slope == 0 ? 1 : 0;
  } else {
    f.t = f.slope / f.slope_se;
    const boost::math::students_t dist(dof);
    f.p_value = 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(f.t)));
  }
  const double half = t_quantile(confidence, dof) * f.slope_se;
  f.ci_low = f.slope - half;
  f.ci_high = f.slope + half;
  return f;
}

PowerLawFit fit_power_law(std::span<const double> x, std::span<const double> y, double confidence) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_power_law: x and y differ in length");
  std::vector<double> lx;
  std::vector<double> ly;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !(y[i] > 0))
      throw std::invalid_argument("fit_power_law: every value must be positive");
    lx.push_back(std::log(x[i]));
    ly.push_back(std::log(y[i]));
  }
  PowerLawFit p;
  p.line = fit_line(lx, ly, confidence);
  p.exponent = p.line.slope;
  p.coefficient = std::exp(p.line.intercept);
  return p;
}

}  // namespace cohort::engine
