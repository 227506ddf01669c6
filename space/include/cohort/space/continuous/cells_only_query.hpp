#pragma once
// Agents.jl's default ("approximate") neighbour search in continuous space, for like-for-like
// comparisons with Agents.jl output (the Flocking section of specs/classic_abm_models.md). It is
// NOT a radius query: it returns every agent in a disc of bins, with no distance filter, and
// misses a few true neighbours. Exact queries are CellList::for_each_within.

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cohort/space/continuous/cell_list.hpp"

namespace cohort::space {

/// The bin width Agents.jl uses for a search radius r (its compartments: r / 1.5).
inline double agents_jl_cell_size(double radius) {
  return radius / 1.5;
}

/// Calls fn(row) for every row in the bins at integer offsets o with |o|^2 <= R^2 around the bin
/// of `p`, where R = ceil((radius + delta) / s) and delta is the minimum-image distance from `p`
/// to its bin's centre; the row at `p` itself is included (callers skip it). `cells` must use
/// Binning::agents_jl with bins of s = agents_jl_cell_size(radius). Throws std::logic_error if
/// the disc wraps onto itself (2R + 1 bins exceed a periodic axis): use an exact query there.
template <int D, class Fn>
void for_each_in_cells_agents_jl(const CellList<D>& cells, const std::type_identity_t<Vec<D>>& p,
                                 double radius, Fn&& fn) {
  const Box<D>& box = cells.box();
  const std::array<int, D> c = cells.coords(cells.cell_of(p));
  double delta2 = 0;
  for (int a = 0; a < D; ++a) {
    const double centre = cells.bin_width(a) * (c[a] + 0.5);
    const double d = box.separation(a, p[a], centre);
    delta2 += d * d;
  }
  const double s = cells.bin_width(0);
  const int reach = static_cast<int>(std::ceil((radius + std::sqrt(delta2)) / s));
  std::array<int, D> r;
  for (int a = 0; a < D; ++a) {
    r[a] = reach;
    if (box.periodic(a) && 2 * reach + 1 > cells.bins(a))
      throw std::logic_error("cells-only search: " + std::to_string(2 * reach + 1) +
                             " bins needed across axis " + std::to_string(a) + " of only " +
                             std::to_string(cells.bins(a)) + "; the box is too small for it");
  }
  cells.for_each_cell_around(
      c, r, [&](std::uint32_t cell, const Vec<D>&, const std::array<bool, D>&) {
        const std::array<int, D> at = cells.coords(cell);
        long o2 = 0;
        for (int a = 0; a < D; ++a) {
          int o = at[a] - c[a];  // unwrap the periodic offset back into [-reach, reach]
          if (o > reach) o -= cells.bins(a);
          if (o < -reach) o += cells.bins(a);
          o2 += static_cast<long>(o) * o;
        }
        if (o2 > static_cast<long>(reach) * reach) return;
        for (std::uint32_t row : cells.rows_in(cell))
          fn(row);
      });
}

}  // namespace cohort::space
