#pragma once
// The forces pass over a half neighbour list, row by row, shared by the portable kernel
// (lj_forces.cpp) and the AVX-512 ones (lj_list_rows_avx512.cpp over the list,
// lj_cell_rows_avx512.cpp over the bins), which give the same bits.

#include <cstdint>
#include <limits>

#include "cohort/space/continuous/cell_list.hpp"
#include "fixed_sum.hpp"
#include "lj_forces.hpp"

namespace cohort::models::lj {

/// What one partition's pass over its rows reads (offsets and nb null when it walks the bins).
struct ListRows {
  const Vec3* x;                 ///< positions: owned rows, then ghosts
  FixedVec3* f;                  ///< this partition's forces, one per point
  const std::uint32_t* offsets;  ///< row r's neighbours are nb[offsets[r] .. offsets[r + 1])
  const std::uint32_t* nb;
  std::uint32_t owned;  ///< rows at or past it are ghosts
  double cut2;
  Vec3 length, half;  ///< the box, and half of it (minimum image)
};

/// What one partition's pass adds up: the energy and virial (kSums passes only) and the
/// smallest r^2 of any listed pair (the overflow check).
struct ListTotals {
  Int128 energy2 = 0, virial2 = 0;
  double closest = std::numeric_limits<double>::infinity();
};

/// Whether the AVX-512 kernel can run here: the CPU has AVX-512F and the points' coordinate
/// offsets fit its 32-bit gather indices.
bool avx512_list_rows_usable(std::size_t points);

/// The forces (and with kSums the energy and virial) of rows [begin, end), exactly as the
/// portable kernel computes them: the same IEEE operations in the same order on each lane
/// (-ffp-contract=off), rounded to the same fixed-point integers, whose sums do not depend on
/// order. Each row's list must hold any j once (a neighbour list does). Only where
/// avx512_list_rows_usable().
template <bool kSums>
void avx512_list_rows(const ListRows& in, std::uint32_t begin, std::uint32_t end, ListTotals& out);

/// What a pass without a list reads besides ListRows: the bins of the last build and each row's
/// position at that build, from which it keeps exactly the pairs a half list built then holds.
struct CellRows {
  const space::CellList<3>* cells;
  const Vec3* built;  ///< each row's position at the last build
  double range2;      ///< (cutoff + skin)^2, as the list build squares it
  /// The AVX-512 pass only: bin_coordinates(), the points' coordinates as floats in the bins'
  /// slot order, now and at the build.
  const float* coords = nullptr;
};

/// Whether the AVX-512 cell pass can run: the CPU has AVX-512F and the points' coordinate
/// offsets fit 32-bit indices.
bool avx512_cell_rows_usable(std::size_t points);

/// As avx512_list_rows for the rows of bins [first, last) (of a forward_stencil_fits() grid),
/// over the pairs a half list built at the last build would hold: each row with the rows after
/// it in its bin and those of its forward half stencil, kept by their separation at the build
/// positions, so the same bits. Only where avx512_cell_rows_usable().
template <bool kSums>
void avx512_cell_rows(const ListRows& in, const CellRows& cells, std::uint32_t first,
                      std::uint32_t last, ListTotals& out);

}  // namespace cohort::models::lj
