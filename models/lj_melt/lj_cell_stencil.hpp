#pragma once
// The bins a row's pairs are searched in when there is no neighbour list: the forward half
// stencil of its bin, with the periodic shift the list build adds to a separation into each.

#include <array>
#include <cstdint>

#include "cohort/space/continuous/cell_list.hpp"

namespace cohort::models::lj {

/// One bin of a stencil and the shift of its image.
struct StencilBin {
  std::uint32_t cell;
  std::array<double, 3> shift;  ///< added to (x_j - x_i) on each axis: -L, 0 or +L
};

/// The 13 bins after `cell` in the forward half stencil (offset (+1, 0, 0), (-1..1, +1, 0),
/// (-1..1, -1..1, +1)): with the row's own bin (rows after it) each pair of adjacent bins is
/// searched once. Shifts as CellList::for_each_cell_around gives them, so that separations at
/// the build positions are the list build's to the last bit. Needs at least 4 bins along each
/// periodic axis (with 3 the list build takes minimum images instead of shifts).
inline std::array<StencilBin, 13> forward_stencil(const space::CellList<3>& cells,
                                                  std::uint32_t cell) {
  const std::array<int, 3> at = cells.coords(cell);
  std::array<StencilBin, 13> out{};
  int k = 0;
  auto add = [&](int dx, int dy, int dz) {
    const int d[3] = {dx, dy, dz};
    std::array<int, 3> to{};
    StencilBin b{};
    for (int a = 0; a < 3; ++a) {
      const int n = cells.bins(a);
      to[a] = at[a] + d[a];
      b.shift[a] = 0.0;
      if (to[a] < 0) {
        to[a] += n;
        b.shift[a] = -cells.box().length(a);
      } else if (to[a] >= n) {
        to[a] -= n;
        b.shift[a] = cells.box().length(a);
      }
    }
    b.cell = cells.cell_at(to);
    out[k++] = b;
  };
  add(1, 0, 0);
  for (int dx = -1; dx <= 1; ++dx)
    add(dx, 1, 0);
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx)
      add(dx, dy, 1);
  return out;
}

/// Whether forward_stencil() applies: every axis periodic with at least 4 bins.
inline bool forward_stencil_fits(const space::CellList<3>& cells) {
  for (int a = 0; a < 3; ++a)
    if (!cells.box().periodic(a) || cells.bins(a) < 4) return false;
  return true;
}

}  // namespace cohort::models::lj
