#pragma once
// Random point sets for the continuous-space tests, with points placed exactly on bin faces and
// box edges, and the brute-force O(N^2) answers every query is compared with.

#include <algorithm>
#include <cstdint>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "cohort/space/continuous/box.hpp"

namespace cohort::space::testing {

/// `n` uniform points in `box`, then the first few moved onto edges and faces: 0, multiples of
/// `face` (a bin width) and, on bounded axes, the upper edge L.
template <int D>
std::vector<Vec<D>> random_points(const Box<D>& box, std::size_t n, double face,
                                  std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<Vec<D>> pts(n);
  for (auto& p : pts)
    for (int a = 0; a < D; ++a)
      p[a] = std::uniform_real_distribution<double>(0, box.length(a))(gen);
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 24); ++i) {
    const int a = static_cast<int>(i % D);
    const double k = static_cast<double>(i / D);
    double x = k * face;
    if (i % 5 == 4) x = box.periodic(a) ? 0.0 : box.length(a);
    if (x >= box.length(a)) x = box.periodic(a) ? 0.0 : box.length(a);
    pts[i][a] = x;
  }
  return pts;
}

/// Rows within `radius` of `p` (d2 <= radius^2), ascending.
// (Points are non-deduced: Vec<D> is std::array<double, D> with an int D.)
template <int D>
using PointsOf = std::type_identity_t<std::vector<Vec<D>>>;

template <int D>
std::vector<std::uint32_t> brute_within(const Box<D>& box, const PointsOf<D>& pts,
                                        const std::type_identity_t<Vec<D>>& p, double radius) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t j = 0; j < pts.size(); ++j)
    if (box.distance2(p, pts[j]) <= radius * radius) out.push_back(j);
  return out;
}

/// Unordered pairs (i < j) within `range`, ascending.
template <int D>
std::vector<std::pair<std::uint32_t, std::uint32_t>> brute_pairs(const Box<D>& box,
                                                                 const PointsOf<D>& pts,
                                                                 double range) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (std::uint32_t i = 0; i < pts.size(); ++i)
    for (std::uint32_t j = i + 1; j < pts.size(); ++j)
      if (box.distance2(pts[i], pts[j]) <= range * range) out.emplace_back(i, j);
  return out;
}

}  // namespace cohort::space::testing
