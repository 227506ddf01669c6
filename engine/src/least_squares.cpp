#include "cohort/engine/least_squares.hpp"

#include <Eigen/Core>
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
  // Centred: numerically stable for large x (steps) and y (bytes).
  const Eigen::Map<const Eigen::VectorXd> xs(x.data(), static_cast<Eigen::Index>(n));
  const Eigen::Map<const Eigen::VectorXd> ys(y.data(), static_cast<Eigen::Index>(n));
  const double mx = xs.mean();
  const double my = ys.mean();
  const Eigen::ArrayXd xc = xs.array() - mx;
  const Eigen::ArrayXd yc = ys.array() - my;
  const double sxx = xc.square().sum();
  const double sxy = (xc * yc).sum();
  const double syy = yc.square().sum();
  if (sxx <= 0) throw std::invalid_argument("fit_line: need at least two distinct x values");

  LineFit f;
  f.n = n;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  const double sse = (ys.array() - (f.intercept + f.slope * xs.array())).square().sum();
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
  const Eigen::Map<const Eigen::ArrayXd> xs(x.data(), static_cast<Eigen::Index>(x.size()));
  const Eigen::Map<const Eigen::ArrayXd> ys(y.data(), static_cast<Eigen::Index>(y.size()));
  if (!(xs > 0).all() || !(ys > 0).all())
    throw std::invalid_argument("fit_power_law: every value must be positive");
  const Eigen::ArrayXd lx = xs.log();
  const Eigen::ArrayXd ly = ys.log();
  PowerLawFit p;
  p.line =
      fit_line(std::span<const double>(lx.data(), static_cast<std::size_t>(lx.size())),
               std::span<const double>(ly.data(), static_cast<std::size_t>(ly.size())), confidence);
  p.exponent = p.line.slope;
  p.coefficient = std::exp(p.line.intercept);
  return p;
}

}  // namespace cohort::engine
