#pragma once
// Spatial domain decomposition: each rank owns an axis-aligned region of the box, found by
// recursive coordinate bisection (RCB) of the agents' positions at the start, so every rank
// starts with about the same number of agents. Every rank computes the same decomposition from
// the same positions (no communication needed).

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/space/continuous/box.hpp"

namespace cohort::distributed {

using space::Box;
using space::Vec;

/// An axis-aligned region [lo, hi) of the box.
template <int D>
struct Region {
  Vec<D> lo{}, hi{};
};

/// Which rank owns which part of a box.
template <int D>
class BoxDecomposition {
 public:
  /// Cuts `box` into `ranks` regions by recursive bisection: each cut splits a region's ranks in
  /// two halves (the first gets floor(n / 2)) along the region's longest axis, at the coordinate
  /// that gives each half its share of `points` (points on the cut go to the upper half). Throws
  /// std::invalid_argument unless ranks >= 1.
  static BoxDecomposition bisect(const Box<D>& box, std::span<const Vec<D>> points, int ranks);

  int ranks() const { return static_cast<int>(regions_.size()); }
  const Box<D>& box() const { return box_; }
  const Region<D>& region(int rank) const { return regions_.at(static_cast<std::size_t>(rank)); }
  /// The rank whose region holds `p` (a position inside the box, e.g. wrapped).
  int owner(const Vec<D>& p) const;
  /// Whether `rank`'s region comes within Euclidean distance `range` of `p` (through periodic
  /// images), with a hair of margin so no pair within range can miss its ghost to rounding.
  bool near(const Vec<D>& p, double range, int rank) const;
  /// Appends, in ascending order, the ranks other than `self` whose region comes within
  /// Euclidean distance `range` of `p` (through periodic images): the ranks that need p as a
  /// ghost. O(ranks).
  void ranks_near(const Vec<D>& p, double range, int self, std::vector<int>& out) const;

 private:
  explicit BoxDecomposition(const Box<D>& box) : box_(box) {}
  struct Node {
    int axis = -1;  // -1: a leaf, owned by `rank`
    double cut = 0;
    int lower = -1, upper = -1;  // child nodes
    int rank = -1;
  };
  int build(std::vector<Vec<D>>& points, std::size_t begin, std::size_t end, int rank0, int ranks,
            Region<D> region);

  Box<D> box_;
  std::vector<Node> nodes_;
  std::vector<Region<D>> regions_;
};

extern template class BoxDecomposition<2>;
extern template class BoxDecomposition<3>;

}  // namespace cohort::distributed
