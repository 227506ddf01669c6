#include "cohort/distributed/box_decomposition.hpp"

#include <algorithm>
#include <stdexcept>

namespace cohort::distributed {

template <int D>
BoxDecomposition<D> BoxDecomposition<D>::bisect(const Box<D>& box, std::span<const Vec<D>> points,
                                                int ranks) {
  if (ranks < 1)
    throw std::invalid_argument("decomposition over " + std::to_string(ranks) +
                                " ranks: need at least one");
  BoxDecomposition d(box);
  d.regions_.resize(static_cast<std::size_t>(ranks));
  std::vector<Vec<D>> work(points.begin(), points.end());
  d.build(work, 0, work.size(), 0, ranks, Region<D>{Vec<D>{}, box.lengths()});
  return d;
}

template <int D>
int BoxDecomposition<D>::build(std::vector<Vec<D>>& points, std::size_t begin, std::size_t end,
                               int rank0, int ranks, Region<D> region) {
  const int index = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  if (ranks == 1) {
    nodes_[index].rank = rank0;
    regions_[static_cast<std::size_t>(rank0)] = region;
    return index;
  }
  int axis = 0;
  for (int a = 1; a < D; ++a)
    if (region.hi[a] - region.lo[a] > region.hi[axis] - region.lo[axis]) axis = a;
  const int lower_ranks = ranks / 2;
  const std::size_t count = end - begin;
  // The first point of the upper share, in coordinate order; ties with it go up too.
  const std::size_t k =
      begin + count * static_cast<std::size_t>(lower_ranks) / static_cast<std::size_t>(ranks);
  auto less = [axis](const Vec<D>& a, const Vec<D>& b) { return a[axis] < b[axis]; };
  double cut = 0.5 * (region.lo[axis] + region.hi[axis]);
  if (count > 0 && k < end) {
    std::nth_element(points.begin() + static_cast<std::ptrdiff_t>(begin),
                     points.begin() + static_cast<std::ptrdiff_t>(k),
                     points.begin() + static_cast<std::ptrdiff_t>(end), less);
    cut = std::clamp(points[k][axis], region.lo[axis], region.hi[axis]);
  }
  const auto split =
      static_cast<std::size_t>(std::partition(points.begin() + static_cast<std::ptrdiff_t>(begin),
                                              points.begin() + static_cast<std::ptrdiff_t>(end),
                                              [&](const Vec<D>& p) { return p[axis] < cut; }) -
                               points.begin());
  Region<D> lower = region, upper = region;
  lower.hi[axis] = cut;
  upper.lo[axis] = cut;
  const int lo = build(points, begin, split, rank0, lower_ranks, lower);
  const int hi = build(points, split, end, rank0 + lower_ranks, ranks - lower_ranks, upper);
  nodes_[index].axis = axis;
  nodes_[index].cut = cut;
  nodes_[index].lower = lo;
  nodes_[index].upper = hi;
  return index;
}

template <int D>
int BoxDecomposition<D>::owner(const Vec<D>& p) const {
  int n = 0;
  while (nodes_[n].axis >= 0)
    n = p[nodes_[n].axis] < nodes_[n].cut ? nodes_[n].lower : nodes_[n].upper;
  return nodes_[n].rank;
}

template <int D>
bool BoxDecomposition<D>::near(const Vec<D>& p, double range, int rank) const {
  // The margin: an extra ghost costs only bytes; a missing one would lose a pair.
  const double reach = range * (1 + 1e-12) + 1e-12;
  const Region<D>& g = regions_[static_cast<std::size_t>(rank)];
  double d2 = 0;
  for (int a = 0; a < D; ++a) {
    // Distance from p to [lo, hi) along the axis, through the periodic image if shorter.
    double d = std::max({0.0, g.lo[a] - p[a], p[a] - g.hi[a]});
    if (box_.periodic(a)) {
      const double l = box_.length(a);
      d = std::min({d, std::max({0.0, g.lo[a] - (p[a] + l), (p[a] + l) - g.hi[a]}),
                    std::max({0.0, g.lo[a] - (p[a] - l), (p[a] - l) - g.hi[a]})});
    }
    d2 += d * d;
  }
  return d2 <= reach * reach;
}

template <int D>
void BoxDecomposition<D>::ranks_near(const Vec<D>& p, double range, int self,
                                     std::vector<int>& out) const {
  for (int r = 0; r < ranks(); ++r)
    if (r != self && near(p, range, r)) out.push_back(r);
}

template class BoxDecomposition<2>;
template class BoxDecomposition<3>;

}  // namespace cohort::distributed
