#pragma once
// Neighbourhoods of a grid cell: Moore (Chebyshev), von Neumann (Manhattan) or Euclidean radius
// r, with or without the centre cell, visited in one fixed, documented order.

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/space/grid/grid_shape.hpp"

namespace cohort::space {

/// The distance that decides which offsets are neighbours.
enum class GridMetric : std::uint8_t {
  chebyshev,  ///< max(|dx|, |dy|, |dz|) <= r: Moore (8 cells in 2-D at r = 1, 26 in 3-D)
  manhattan,  ///< |dx| + |dy| + |dz| <= r: von Neumann (4 cells in 2-D at r = 1, 6 in 3-D)
  euclidean,  ///< dx^2 + dy^2 + dz^2 <= r^2 (integer arithmetic, boundary included)
};

/// Which cells around a cell are its neighbours.
struct NeighbourhoodSpec {
  GridMetric metric = GridMetric::chebyshev;
  std::uint32_t radius = 1;
  bool include_centre = false;

  static NeighbourhoodSpec moore(std::uint32_t r = 1) { return {GridMetric::chebyshev, r, false}; }
  static NeighbourhoodSpec von_neumann(std::uint32_t r = 1) {
    return {GridMetric::manhattan, r, false};
  }
};

/// The neighbour cells of any cell of one grid.
///
/// Order (fixed, the same for every cell and thread count): offsets sorted by dz, then dy, then
/// dx, each ascending from -r to +r; the centre, when included, sits at its place in that order
/// (the middle). Offsets beyond a bounded edge are skipped. On a periodic axis shorter than
/// 2r + 1 several offsets reach the same cell; it is visited once, at its first offset.
class Neighbourhood {
 public:
  Neighbourhood(const GridShape& shape, NeighbourhoodSpec spec);

  const GridShape& shape() const { return shape_; }
  const NeighbourhoodSpec& spec() const { return spec_; }
  /// The offsets in visiting order.
  std::span<const Coord> offsets() const { return offsets_; }

  /// Calls fn(CellIndex) for every neighbour of `cell`, in the documented order.
  template <class Fn>
  void for_each(CellIndex cell, Fn&& fn) const {
    if (interior(cell)) {  // no edge within r: plain index arithmetic
      for (const std::int64_t d : deltas_)
        fn(static_cast<CellIndex>(static_cast<std::int64_t>(cell) + d));
      return;
    }
    for_each_near_edge(cell, fn);
  }
  /// The neighbours of `cell` appended to `out` (cleared first), in the documented order.
  void cells(CellIndex cell, std::vector<CellIndex>& out) const;

 private:
  bool interior(CellIndex cell) const {
    const Coord c = shape_.coord(cell);
    const auto r = static_cast<std::int32_t>(spec_.radius);
    return c.x >= r && c.x < hi_[0] && c.y >= r && c.y < hi_[1] &&
           (shape_.dimensions() == 2 || (c.z >= r && c.z < hi_[2]));
  }
  template <class Fn>
  void for_each_near_edge(CellIndex cell, Fn& fn) const {
    const Coord c = shape_.coord(cell);
    for (std::size_t i = 0; i < offsets_.size(); ++i) {
      const Coord d = offsets_[i];
      const CellIndex n =
          shape_.resolve(std::int64_t{c.x} + d.x, std::int64_t{c.y} + d.y, std::int64_t{c.z} + d.z);
      if (n == kNoCell) continue;
      // A periodic axis shorter than the neighbourhood: wraps may reach the centre or a cell
      // visited already.
      if (may_alias_ && ((n == cell && !spec_.include_centre) || seen_before(c, i, n))) continue;
      fn(n);
    }
  }
  bool seen_before(Coord c, std::size_t i, CellIndex n) const;

  GridShape shape_;
  NeighbourhoodSpec spec_;
  std::vector<Coord> offsets_;
  std::vector<std::int64_t> deltas_;  // flat index difference of each offset (interior cells)
  std::int32_t hi_[3] = {0, 0, 0};    // interior: coordinate < extent - r
  bool may_alias_ = false;            // some periodic axis is shorter than 2r + 1
};

}  // namespace cohort::space
