#pragma once
// The geometry of a grid space: 2 or 3 axes, each with its extent and its edge (torus or
// bounded), and the mapping between coordinates and flat cell indices.

#include <array>
#include <cstdint>
#include <span>

namespace cohort::space {

/// A flat cell index: x + extent_x * (y + extent_y * z). At most 2^32 - 1 cells.
using CellIndex = std::uint32_t;
/// No cell: outside a bounded edge, or an agent not placed on the grid.
inline constexpr CellIndex kNoCell = 0xffffffffu;

/// 0-based cell coordinates (z = 0 on a 2-D grid).
struct Coord {
  std::int32_t x = 0, y = 0, z = 0;
  bool operator==(const Coord&) const = default;
};

/// Division by a fixed divisor with one multiply (Lemire, "Faster remainder by direct
/// computation", 2019): exact for every 32-bit numerator. Cell -> coordinate conversions sit in
/// every neighbour query, where a hardware divide would cost more than the rest of the query.
class FastDivisor {
 public:
  FastDivisor() = default;
  explicit FastDivisor(std::uint32_t d) : d_(d), m_(d > 1 ? ~std::uint64_t{0} / d + 1 : 0) {}
  std::uint32_t divisor() const { return d_; }
  std::uint32_t divide(std::uint32_t n) const {
    if (m_ == 0) return n;  // d == 1
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint32_t>((static_cast<U128>(m_) * n) >> 64);
  }

 private:
  std::uint32_t d_ = 1;
  std::uint64_t m_ = 0;
};

/// Axes, extents and edges of a grid. Immutable after construction.
class GridShape {
 public:
  /// `extent` and `periodic` have 2 or 3 entries each (x, y[, z]); every extent >= 1 and the
  /// product < 2^32. Throws std::invalid_argument naming the problem otherwise.
  GridShape(std::span<const std::uint32_t> extent, std::span<const bool> periodic);
  /// A 2-D grid, the same edge on both axes.
  static GridShape plane(std::uint32_t width, std::uint32_t height, bool torus);

  std::uint32_t dimensions() const { return dimensions_; }
  std::uint32_t extent(std::uint32_t axis) const { return extent_[axis]; }
  bool periodic(std::uint32_t axis) const { return periodic_[axis]; }
  std::size_t cells() const { return cells_; }

  CellIndex index(Coord c) const {
    return static_cast<CellIndex>(
        (static_cast<std::uint64_t>(c.z) * extent_[1] + static_cast<std::uint64_t>(c.y)) *
            extent_[0] +
        static_cast<std::uint64_t>(c.x));
  }
  Coord coord(CellIndex cell) const {
    const std::uint32_t yz = div_x_.divide(cell);
    const std::uint32_t z = div_y_.divide(yz);
    return {static_cast<std::int32_t>(cell - yz * extent_[0]),
            static_cast<std::int32_t>(yz - z * extent_[1]), static_cast<std::int32_t>(z)};
  }
  bool contains(Coord c) const {
    for (std::uint32_t a = 0; a < 3; ++a)
      if (component(c, a) < 0 || component(c, a) >= static_cast<std::int64_t>(extent_[a]))
        return false;
    return true;
  }
  /// The cell at `c` after wrapping the periodic axes, or kNoCell when `c` is beyond a bounded
  /// edge. Any integer offset is allowed (it may wrap several times).
  CellIndex resolve(std::int64_t x, std::int64_t y, std::int64_t z = 0) const;
  /// As resolve, but a coordinate beyond a bounded edge is clamped to it: a mover that would
  /// leave the grid slides along the edge (WolfSheep's random walk).
  CellIndex resolve_clamped(std::int64_t x, std::int64_t y, std::int64_t z = 0) const;
  /// The cell `d` away from `cell` (see resolve).
  CellIndex offset(CellIndex cell, Coord d) const {
    const Coord c = coord(cell);
    return resolve(std::int64_t{c.x} + d.x, std::int64_t{c.y} + d.y, std::int64_t{c.z} + d.z);
  }
  /// The shortest per-axis separation from a to b: through the wrap on periodic axes (ties
  /// resolve to the positive direction), the plain difference on bounded ones.
  Coord separation(Coord a, Coord b) const;

  static std::int64_t component(Coord c, std::uint32_t axis) {
    return axis == 0 ? c.x : axis == 1 ? c.y : c.z;
  }

 private:
  std::uint32_t dimensions_ = 2;
  std::array<std::uint32_t, 3> extent_{1, 1, 1};
  std::array<bool, 3> periodic_{false, false, false};
  std::size_t cells_ = 1;
  FastDivisor div_x_, div_y_;
};

}  // namespace cohort::space
