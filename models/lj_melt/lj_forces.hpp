#pragma once
// 12-6 Lennard-Jones forces (epsilon = sigma = 1, unshifted, cut at rc) over a half neighbour
// list, with Newton's third law, summed in fixed point (fixed_sum.hpp): the forces, energy and
// virial are bit-identical whatever the thread count, the partition of the rows, the order of
// the rows or the number of MPI ranks the atoms are spread over.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cohort/space/continuous/continuous_space.hpp"
#include "cohort/space/continuous/task_runner.hpp"
#include "fixed_sum.hpp"

namespace cohort::models::lj {

using Vec3 = space::Vec<3>;

/// A force in kForceUnit.
struct FixedVec3 {
  std::int64_t v[3];
};

/// Potential energy and virial (sum over pairs of r . F) of one evaluation, in kSumUnit, each
/// pair counted once for each of its atoms this process owns: on one process every pair counts
/// twice, and the partial sums of all ranks add up to twice the totals.
struct PairSums {
  Int128 energy2 = 0;
  Int128 virial2 = 0;
};

/// Energy and virial of summed PairSums (all ranks'), as doubles.
inline double pair_energy(const PairSums& s) {
  return from_fixed(s.energy2, 2 * kSumUnit);
}
inline double pair_virial(const PairSums& s) {
  return from_fixed(s.virial2, 2 * kSumUnit);
}

/// The pair potential's constants for a cutoff rc (LAMMPS' lj1..lj4 with epsilon = sigma = 1).
struct LennardJones {
  double cut2 = 6.25;
  static constexpr double lj1 = 48.0, lj2 = 24.0, lj3 = 4.0, lj4 = 4.0;
};

/// Which code computes the pairs: the fastest this CPU runs (AVX-512 over a neighbour list or
/// the bins where the CPU has it), or the portable one. Both give the same bits; tests compare
/// them.
enum class PairKernel { fastest, portable };

/// What the forces pass needs without a list (none, or dropped for the cell fallback) to find in
/// the bins exactly the pairs a half list built at the last build would hold, and so give the
/// same bits as with the list.
struct ListlessInputs {
  std::span<const Vec3> built;    ///< each point's position at the last build
  std::span<const float> binned;  ///< bin_coordinates() of the points: the AVX-512 pass
};

/// Computes the forces of every listed pair of `space` (its half list, or its bins after a
/// fallback) with r^2 < cut2 into `partials` (one array per partition, each one entry per point
/// of the space: owned rows first, then ghosts), and with `with_sums` the energy and virial too
/// (nullopt without). Points at or past `owned` are ghosts: their forces are left for their
/// owner, and their pairs count once. Positions may lie slightly outside the box between
/// rebuilds: separations take the minimum image. Throws std::overflow_error if a pair's force
/// leaves the fixed-point range (atoms overlap: a time step far too large or a broken start).
/// Without a list the pairs come from `listless` (without its build positions, with ghosts or
/// with fewer than 4 bins along a periodic axis: every pair within range in the bins now, which
/// differs from the list's once an atom moved more than skin / 2).
std::optional<PairSums> pair_forces(const space::ContinuousSpace<3>& space,
                                    std::span<const Vec3> points, std::size_t owned,
                                    const LennardJones& lj,
                                    std::span<const std::span<FixedVec3>> partials,
                                    const space::TaskRunner& run, bool with_sums = true,
                                    PairKernel kernel = PairKernel::fastest,
                                    const ListlessInputs& listless = {});

/// Whether the fastest pass over `space` without a list wants bin_coordinates() (the CPU has
/// AVX-512, the bins allow the pass).
bool wants_bin_coordinates(const space::ContinuousSpace<3>& space, std::size_t points);

/// The coordinates of `points` now and of `built` (their positions at the last build) as floats
/// in the slot order of `cells`, into `coords` (resized to 6 * points.size()): x of every slot,
/// then y, then z, now, then the same at the build.
void bin_coordinates(const space::CellList<3>& cells, std::span<const Vec3> points,
                     std::span<const Vec3> built, std::vector<float>& coords,
                     const space::TaskRunner& run);

/// The energy and virial pair_forces would return for the same points, without forces (over
/// `parts` partitions of the rows; the sums are the same bits for any partition count).
PairSums pair_sums(const space::ContinuousSpace<3>& space, std::span<const Vec3> points,
                   std::size_t owned, const LennardJones& lj, std::size_t parts,
                   const space::TaskRunner& run, std::span<const Vec3> built = {});

/// The force on point r: the sum over partitions of partials[p][r], in partition-independent
/// fixed point, as a double.
inline Vec3 force_of(std::span<const std::span<FixedVec3>> partials, std::size_t r) {
  Vec3 f;
  for (int a = 0; a < 3; ++a) {
    std::int64_t sum = 0;
    for (const std::span<FixedVec3>& p : partials)
      sum += p[r].v[a];
    f[a] = static_cast<double>(sum) / kForceUnit;
  }
  return f;
}

}  // namespace cohort::models::lj
