#include "lj_forces.hpp"

#include "lj_cell_stencil.hpp"
#include "lj_list_rows.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <stdexcept>

namespace cohort::models::lj {

namespace {

// Whether every term was within round_fixed's range, given the smallest r^2 of any pair. Each
// term is at most |fpair| * max(1, r^2) (the force components since |d| <= r, the virial, and
// the energy, which is below |fpair| where r < 1 and below 1 beyond); that bound decreases with
// r below 1 and stays under 24 beyond, so the closest pair decides.
bool terms_in_range(double closest) {
  if (!(closest >= 1.0)) {
    if (!(closest > 0.0)) return false;  // coincident atoms, or not a number
    const double r2inv = 1.0 / closest, r6inv = r2inv * r2inv * r2inv;
    const double fpair = r6inv * (LennardJones::lj1 * r6inv - LennardJones::lj2) * r2inv;
    return fpair < kTermLimit / kForceUnit;
  }
  return true;
}

// One row's pairs: i's force accumulates in registers, j's goes to this partition's array;
// with kSums the pair energy and virial too (about a quarter of the kernel's arithmetic, so
// only on the steps that report them). Without kForces nothing is written (sums on demand).
// The portable pass; avx512_list_rows is the same per lane.
template <bool kForces, bool kSums>
struct RowKernel {
  const ListRows& in;
  ListTotals& out;

  // Minimum image for coordinates within a skin of the box (wrapped at rebuilds only).
  double image(int a, double d) const {
    return d > in.half[a] ? d - in.length[a] : (d < -in.half[a] ? d + in.length[a] : d);
  }

  template <class Neighbours>
  void row(std::uint32_t i, Neighbours&& neighbours) {
    const Vec3* x = in.x;
    FixedVec3* f = in.f;
    const double xi = x[i][0], yi = x[i][1], zi = x[i][2];
    const std::int64_t owns_i = i < in.owned;
    std::int64_t fx = 0, fy = 0, fz = 0, energy = 0, virial = 0;
    double closest = out.closest;
    neighbours([&](std::uint32_t j) {
      const double dx = image(0, xi - x[j][0]);
      const double dy = image(1, yi - x[j][1]);
      const double dz = image(2, zi - x[j][2]);
      const double rsq = dx * dx + dy * dy + dz * dz;
      // Branch-free: about a third of the listed pairs lie beyond rc and would mispredict a
      // branch. Outside pairs get a factor 0, which adds exactly 0 to every sum.
      const double inside = static_cast<double>(rsq < in.cut2);
      const double r2inv = 1.0 / rsq;
      const double r6inv = r2inv * r2inv * r2inv;
      const double forcelj = r6inv * (LennardJones::lj1 * r6inv - LennardJones::lj2);
      const double fpair = forcelj * r2inv * inside;
      closest = std::min(closest, rsq);               // checked once per partition
      const double fpair_units = fpair * kForceUnit;  // a power of 2: exact
      if constexpr (kForces) {
        const std::int64_t qx = round_fixed(dx * fpair_units);
        const std::int64_t qy = round_fixed(dy * fpair_units);
        const std::int64_t qz = round_fixed(dz * fpair_units);
        fx += qx;
        fy += qy;
        fz += qz;
        f[j].v[0] -= qx;
        f[j].v[1] -= qy;
        f[j].v[2] -= qz;
      }
      if constexpr (kSums) {
        // The pair counts once for each of its atoms owned here (twice on one process).
        const std::int64_t weight = owns_i + static_cast<std::int64_t>(j < in.owned);
        const double e = r6inv * (LennardJones::lj3 * r6inv - LennardJones::lj4) * inside;
        energy += weight * round_fixed(e * kSumUnit);
        virial += weight * round_fixed(fpair_units * rsq);
      }
    });
    if constexpr (kForces) {
      f[i].v[0] += fx;
      f[i].v[1] += fy;
      f[i].v[2] += fz;
    }
    out.closest = closest;
    out.energy2 += energy;
    out.virial2 += virial;
  }
};

// The portable cell pass over bins [first, last): each row's candidates in its own bin (after
// it) and its forward half stencil, kept as the list build keeps them (separation at the build
// positions, (x_j - x_i) + shift, d^2 <= range^2 in axis order), then RowKernel as over a list.
template <class Kernel>
void bin_rows(Kernel& k, const CellRows& cells, std::uint32_t first, std::uint32_t last) {
  const space::CellList<3>& bins = *cells.cells;
  const std::span<const std::uint32_t> start = bins.bin_starts();
  const std::span<const std::uint32_t> rows = bins.bin_rows();
  const Vec3* built = cells.built;
  for (std::uint32_t c = first; c < last; ++c) {
    if (start[c] == start[c + 1]) continue;
    const std::array<StencilBin, 13> stencil = forward_stencil(bins, c);
    for (std::uint32_t s = start[c]; s < start[c + 1]; ++s) {
      const std::uint32_t i = rows[s];
      auto listed = [&](std::uint32_t j, const std::array<double, 3>& shift) {
        double d2 = 0;
        for (int a = 0; a < 3; ++a) {
          const double d = (built[j][a] - built[i][a]) + shift[a];
          d2 = a == 0 ? d * d : d2 + d * d;
        }
        return d2 <= cells.range2;
      };
      k.row(i, [&](auto&& pair) {
        constexpr std::array<double, 3> kNoShift{0, 0, 0};
        for (std::uint32_t m = s + 1; m < start[c + 1]; ++m)
          if (listed(rows[m], kNoShift)) pair(rows[m]);
        for (const StencilBin& b : stencil)
          for (std::uint32_t m = start[b.cell]; m < start[b.cell + 1]; ++m)
            if (listed(rows[m], b.shift)) pair(rows[m]);
      });
    }
  }
}

// Every row's pairs over `parts` partitions of the rows (their force arrays in `partials` when
// kForces), by the AVX-512 pass where `kernel` allows and the CPU has it, then the overflow
// check and the sums.
template <bool kForces, bool kSums>
PairSums run_pairs(const space::ContinuousSpace<3>& space, std::span<const Vec3> points,
                   std::size_t owned, const LennardJones& lj, std::size_t parts,
                   std::span<const std::span<FixedVec3>> partials, const space::TaskRunner& run,
                   PairKernel kernel, const ListlessInputs& listless) {
  const std::size_t n = points.size();
  std::vector<ListTotals> totals(parts);
  const Vec3 length = space.box().lengths();
  const bool list = space.uses_list();
  const bool simd = kForces && list && kernel == PairKernel::fastest && avx512_list_rows_usable(n);
  // Without a list but with the build positions: the list's pairs, found in the bins.
  const space::CellList<3>& bins = space.cells();
  const bool by_bins =
      !list && listless.built.size() == n && !space.has_ghosts() && forward_stencil_fits(bins);
  const bool bins_simd = by_bins && kForces && kernel == PairKernel::fastest &&
                         listless.binned.size() == 6 * n && avx512_cell_rows_usable(n);
  const double range = space.range();
  const CellRows cells{&bins, listless.built.data(), range * range, listless.binned.data()};
  run(parts, [&](std::size_t p, std::size_t) {
    FixedVec3* f = nullptr;
    if constexpr (kForces) {
      std::fill(partials[p].begin(), partials[p].end(), FixedVec3{{0, 0, 0}});
      f = partials[p].data();
    }
    const ListRows in{points.data(),
                      f,
                      list ? space.list().offsets().data() : nullptr,
                      list ? space.list().neighbours().data() : nullptr,
                      static_cast<std::uint32_t>(owned),
                      lj.cut2,
                      length,
                      {0.5 * length[0], 0.5 * length[1], 0.5 * length[2]}};
    const auto begin = static_cast<std::uint32_t>(n * p / parts);
    const auto end = static_cast<std::uint32_t>(n * (p + 1) / parts);
    if (simd) {
      avx512_list_rows<kSums>(in, begin, end, totals[p]);
      return;
    }
    RowKernel<kForces, kSums> k{in, totals[p]};
    if (by_bins) {  // partitions of the bins, not of the rows
      const std::uint64_t count = bins.cell_count();
      const auto first = static_cast<std::uint32_t>(count * p / parts);
      const auto last = static_cast<std::uint32_t>(count * (p + 1) / parts);
      if (bins_simd)
        avx512_cell_rows<kSums>(in, cells, first, last, totals[p]);
      else
        bin_rows(k, cells, first, last);
      return;
    }
    if (list) {
      for (std::uint32_t i = begin; i < end; ++i)
        k.row(i, [&](auto&& pair) {
          for (std::uint32_t e = in.offsets[i]; e < in.offsets[i + 1]; ++e)
            pair(in.nb[e]);
        });
    } else {
      for (std::uint32_t i = begin; i < end; ++i)
        k.row(i, [&](auto&& pair) { space.for_each_neighbour(i, pair); });
    }
  });
  PairSums total;
  for (const ListTotals& t : totals) {
    if (!terms_in_range(t.closest))
      throw std::overflow_error(
          "lj_melt: a pair force or energy left the fixed-point range (|F| >= 2048 in LJ units): "
          "atoms overlap; lower dt or check the initial state");
    total.energy2 += t.energy2, total.virial2 += t.virial2;
  }
  return total;
}

}  // namespace

std::optional<PairSums> pair_forces(const space::ContinuousSpace<3>& space,
                                    std::span<const Vec3> points, std::size_t owned,
                                    const LennardJones& lj,
                                    std::span<const std::span<FixedVec3>> partials,
                                    const space::TaskRunner& run, bool with_sums, PairKernel kernel,
                                    const ListlessInputs& listless) {
  if (!with_sums) {
    run_pairs<true, false>(space, points, owned, lj, partials.size(), partials, run, kernel,
                           listless);
    return std::nullopt;
  }
  return run_pairs<true, true>(space, points, owned, lj, partials.size(), partials, run, kernel,
                               listless);
}

bool wants_bin_coordinates(const space::ContinuousSpace<3>& space, std::size_t points) {
  return !space.uses_list() && !space.has_ghosts() && forward_stencil_fits(space.cells()) &&
         avx512_cell_rows_usable(points);
}

void bin_coordinates(const space::CellList<3>& cells, std::span<const Vec3> points,
                     std::span<const Vec3> built, std::vector<float>& coords,
                     const space::TaskRunner& run) {
  const std::size_t n = points.size();
  coords.resize(6 * n);
  const std::span<const std::uint32_t> rows = cells.bin_rows();
  constexpr std::size_t kSlotsPerTask = std::size_t{1} << 16;  // a fixed split, as everywhere
  run((n + kSlotsPerTask - 1) / kSlotsPerTask, [&](std::size_t t, std::size_t) {
    const std::size_t b = t * kSlotsPerTask, e = std::min(n, b + kSlotsPerTask);
    for (std::size_t m = b; m < e; ++m)
      for (int a = 0; a < 3; ++a) {
        coords[a * n + m] = static_cast<float>(points[rows[m]][a]);
        coords[(3 + a) * n + m] = static_cast<float>(built[rows[m]][a]);
      }
  });
}

PairSums pair_sums(const space::ContinuousSpace<3>& space, std::span<const Vec3> points,
                   std::size_t owned, const LennardJones& lj, std::size_t parts,
                   const space::TaskRunner& run, std::span<const Vec3> built) {
  return run_pairs<false, true>(space, points, owned, lj, parts, {}, run, PairKernel::portable,
                                {built, {}});
}

}  // namespace cohort::models::lj
