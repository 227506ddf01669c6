#include "cohort/space/grid/grid_shape.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cohort::space {

GridShape::GridShape(std::span<const std::uint32_t> extent, std::span<const bool> periodic) {
  if (extent.size() < 2 || extent.size() > 3)
    throw std::invalid_argument("a grid has 2 or 3 dimensions, not " +
                                std::to_string(extent.size()));
  if (periodic.size() != extent.size())
    throw std::invalid_argument(
        "a grid needs one edge mode per axis: " + std::to_string(extent.size()) + " axes but " +
        std::to_string(periodic.size()) + " edge modes");
  dimensions_ = static_cast<std::uint32_t>(extent.size());
  std::uint64_t cells = 1;
  for (std::uint32_t a = 0; a < dimensions_; ++a) {
    if (extent[a] == 0)
      throw std::invalid_argument("grid axis " + std::to_string(a) + " has extent 0");
    extent_[a] = extent[a];
    periodic_[a] = periodic[a];
    cells *= extent[a];
    if (cells >= kNoCell)
      throw std::invalid_argument("a grid holds fewer than 2^32 - 1 cells; this one " +
                                  std::string("has more"));
  }
  cells_ = static_cast<std::size_t>(cells);
  div_x_ = FastDivisor(extent_[0]);
  div_y_ = FastDivisor(extent_[1]);
}

GridShape GridShape::plane(std::uint32_t width, std::uint32_t height, bool torus) {
  const std::uint32_t extent[2] = {width, height};
  const bool periodic[2] = {torus, torus};
  return GridShape(extent, periodic);
}

CellIndex GridShape::resolve(std::int64_t x, std::int64_t y, std::int64_t z) const {
  std::int64_t v[3] = {x, y, z};
  for (std::uint32_t a = 0; a < 3; ++a) {
    const auto e = static_cast<std::int64_t>(extent_[a]);
    if (v[a] >= 0 && v[a] < e) continue;
    if (!periodic_[a]) return kNoCell;
    v[a] %= e;
    if (v[a] < 0) v[a] += e;
  }
  return index({static_cast<std::int32_t>(v[0]), static_cast<std::int32_t>(v[1]),
                static_cast<std::int32_t>(v[2])});
}

CellIndex GridShape::resolve_clamped(std::int64_t x, std::int64_t y, std::int64_t z) const {
  std::int64_t v[3] = {x, y, z};
  for (std::uint32_t a = 0; a < 3; ++a) {
    const auto e = static_cast<std::int64_t>(extent_[a]);
    if (!periodic_[a]) v[a] = std::clamp<std::int64_t>(v[a], 0, e - 1);
  }
  return resolve(v[0], v[1], v[2]);
}

Coord GridShape::separation(Coord a, Coord b) const {
  std::int64_t d[3] = {std::int64_t{b.x} - a.x, std::int64_t{b.y} - a.y, std::int64_t{b.z} - a.z};
  for (std::uint32_t axis = 0; axis < 3; ++axis) {
    if (!periodic_[axis]) continue;
    const auto e = static_cast<std::int64_t>(extent_[axis]);
    d[axis] %= e;
    if (d[axis] < 0) d[axis] += e;  // now in [0, e)
    if (2 * d[axis] > e) d[axis] -= e;
  }
  return {static_cast<std::int32_t>(d[0]), static_cast<std::int32_t>(d[1]),
          static_cast<std::int32_t>(d[2])};
}

}  // namespace cohort::space
