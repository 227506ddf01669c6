#pragma once
// The simulation box of a continuous space: per-axis length and edge rule (periodic or bounded),
// wrapping and minimum-image separations. Header-only: every call sits in a per-pair loop.

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cohort::space {

/// A point or a separation in D dimensions (a trivially copyable component type).
template <int D>
using Vec = std::array<double, D>;

/// An axis-aligned box [0, L_a) per axis a. A periodic axis wraps; a bounded one does not (its
/// agents are expected inside [0, L_a], and separations along it are plain differences).
template <int D>
class Box {
  static_assert(D == 2 || D == 3, "continuous spaces are 2-D or 3-D");

 public:
  /// Throws std::invalid_argument unless every length is finite and > 0.
  Box(Vec<D> lengths, std::array<bool, D> periodic) : lengths_(lengths), periodic_(periodic) {
    for (int a = 0; a < D; ++a) {
      if (!(lengths_[a] > 0) || !std::isfinite(lengths_[a]))
        throw std::invalid_argument("box length of axis " + std::to_string(a) +
                                    " must be finite and > 0, got " + std::to_string(lengths_[a]));
      half_[a] = 0.5 * lengths_[a];
    }
  }

  const Vec<D>& lengths() const { return lengths_; }
  double length(int axis) const { return lengths_[axis]; }
  bool periodic(int axis) const { return periodic_[axis]; }
  const std::array<bool, D>& periodic() const { return periodic_; }
  double volume() const {
    double v = 1;
    for (double l : lengths_)
      v *= l;
    return v;
  }

  /// One coordinate brought into [0, L) on a periodic axis (unchanged on a bounded one). Done as
  /// LAMMPS' Domain::remap does (add or subtract one length, then clamp at 0), so a model that
  /// wraps as LAMMPS does gets bit-identical coordinates; far-away values loop.
  double wrap(int axis, double x) const {
    if (!periodic_[axis]) return x;
    const double l = lengths_[axis];
    while (x < 0)
      x += l;
    while (x >= l)
      x -= l;
    return x < 0 ? 0.0 : x;
  }
  /// Wraps every periodic coordinate of `p` into [0, L).
  void wrap(Vec<D>& p) const {
    for (int a = 0; a < D; ++a)
      p[a] = wrap(a, p[a]);
  }

  /// Minimum-image component of b - a on `axis` for wrapped coordinates: the difference, moved
  /// by one length when it exceeds half the box; a tie at exactly L/2 keeps the plain difference.
  double separation(int axis, double a, double b) const {
    double d = b - a;
    if (periodic_[axis]) {
      if (d > half_[axis])
        d -= lengths_[axis];
      else if (d < -half_[axis])
        d += lengths_[axis];
    }
    return d;
  }
  /// Minimum-image separation b - a.
  Vec<D> separation(const Vec<D>& a, const Vec<D>& b) const {
    Vec<D> d;
    for (int k = 0; k < D; ++k)
      d[k] = separation(k, a[k], b[k]);
    return d;
  }
  /// Squared minimum-image distance, summed over axes in order (as every query here sums it).
  double distance2(const Vec<D>& a, const Vec<D>& b) const {
    double s = 0;
    for (int k = 0; k < D; ++k) {
      const double d = separation(k, a[k], b[k]);
      s += d * d;
    }
    return s;
  }

 private:
  Vec<D> lengths_;
  Vec<D> half_{};
  std::array<bool, D> periodic_;
};

}  // namespace cohort::space
