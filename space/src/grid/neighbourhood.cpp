#include "cohort/space/grid/neighbourhood.hpp"

#include <cstdlib>
#include <stdexcept>

namespace cohort::space {

namespace {

bool within(NeighbourhoodSpec spec, std::int64_t dx, std::int64_t dy, std::int64_t dz) {
  const std::int64_t r = spec.radius;
  switch (spec.metric) {
    case GridMetric::chebyshev:
      return std::llabs(dx) <= r && std::llabs(dy) <= r && std::llabs(dz) <= r;
    case GridMetric::manhattan:
      return std::llabs(dx) + std::llabs(dy) + std::llabs(dz) <= r;
    case GridMetric::euclidean:
      return dx * dx + dy * dy + dz * dz <= r * r;
  }
  return false;
}

}  // namespace

Neighbourhood::Neighbourhood(const GridShape& shape, NeighbourhoodSpec spec)
    : shape_(shape), spec_(spec) {
  if (spec.radius == 0 && !spec.include_centre)
    throw std::invalid_argument("a neighbourhood of radius 0 without its centre is empty");
  if (spec.radius > 0xffff) throw std::invalid_argument("neighbourhood radius above 65535");
  const auto r = static_cast<std::int32_t>(spec.radius);
  const std::int32_t rz = shape.dimensions() == 3 ? r : 0;
  for (std::int32_t dz = -rz; dz <= rz; ++dz)
    for (std::int32_t dy = -r; dy <= r; ++dy)
      for (std::int32_t dx = -r; dx <= r; ++dx) {
        if (dx == 0 && dy == 0 && dz == 0 && !spec.include_centre) continue;
        if (!within(spec, dx, dy, dz)) continue;
        offsets_.push_back({dx, dy, dz});
        const auto ex = static_cast<std::int64_t>(shape.extent(0));
        const auto ey = static_cast<std::int64_t>(shape.extent(1));
        deltas_.push_back(dx + ex * (dy + ey * dz));
      }
  for (std::uint32_t a = 0; a < 3; ++a) {
    hi_[a] = static_cast<std::int32_t>(static_cast<std::int64_t>(shape.extent(a)) - r);
    if (a < shape.dimensions() && shape.periodic(a) && shape.extent(a) < 2 * spec.radius + 1)
      may_alias_ = true;
  }
}

bool Neighbourhood::seen_before(Coord c, std::size_t i, CellIndex n) const {
  for (std::size_t j = 0; j < i; ++j) {
    const Coord d = offsets_[j];
    if (shape_.resolve(std::int64_t{c.x} + d.x, std::int64_t{c.y} + d.y, std::int64_t{c.z} + d.z) ==
        n)
      return true;
  }
  return false;
}

void Neighbourhood::cells(CellIndex cell, std::vector<CellIndex>& out) const {
  out.clear();
  for_each(cell, [&](CellIndex n) { out.push_back(n); });
}

}  // namespace cohort::space
