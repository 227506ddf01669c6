#include "lj_forces.hpp"

#include "lj_list_rows.hpp"

#include <algorithm>
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

// Every row's pairs over `parts` partitions of the rows (their force arrays in `partials` when
// kForces), by the AVX-512 pass where `kernel` allows and the CPU has it, then the overflow
// check and the sums.
template <bool kForces, bool kSums>
PairSums run_pairs(const space::ContinuousSpace<3>& space, std::span<const Vec3> points,
                   std::size_t owned, const LennardJones& lj, std::size_t parts,
                   std::span<const std::span<FixedVec3>> partials, const space::TaskRunner& run,
                   PairKernel kernel) {
  const std::size_t n = points.size();
  std::vector<ListTotals> totals(parts);
  const Vec3 length = space.box().lengths();
  const bool list = space.uses_list();
  const bool simd = kForces && list && kernel == PairKernel::fastest && avx512_list_rows_usable(n);
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
                                    const space::TaskRunner& run, bool with_sums,
                                    PairKernel kernel) {
  if (!with_sums) {
    run_pairs<true, false>(space, points, owned, lj, partials.size(), partials, run, kernel);
    return std::nullopt;
  }
  return run_pairs<true, true>(space, points, owned, lj, partials.size(), partials, run, kernel);
}

PairSums pair_sums(const space::ContinuousSpace<3>& space, std::span<const Vec3> points,
                   std::size_t owned, const LennardJones& lj, std::size_t parts,
                   const space::TaskRunner& run) {
  return run_pairs<false, true>(space, points, owned, lj, parts, {}, run, PairKernel::portable);
}

}  // namespace cohort::models::lj
