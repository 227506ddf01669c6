#pragma once
// 12-6 Lennard-Jones forces (epsilon = sigma = 1, unshifted, cut at rc) over a half neighbour
// list, with Newton's third law. Deterministic in parallel: the rows are cut into a fixed number
// of partitions, each accumulating into its own force array, and the arrays are added in
// partition order, so the forces do not depend on the thread count.

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/space/continuous/continuous_space.hpp"
#include "cohort/space/continuous/task_runner.hpp"

namespace cohort::models::lj {

using Vec3 = space::Vec<3>;

/// Potential energy and virial (sum over pairs of r . F) of one evaluation.
struct PairSums {
  double energy = 0;
  double virial = 0;
};

/// The pair potential's constants for a cutoff rc (LAMMPS' lj1..lj4 with epsilon = sigma = 1).
struct LennardJones {
  double cut2 = 6.25;
  static constexpr double lj1 = 48.0, lj2 = 24.0, lj3 = 4.0, lj4 = 4.0;
};

/// Computes forces into `partials` (one array per partition, partials[0] may be the force
/// column) for every listed pair of `space` (its half list, or its bins after a fallback) with
/// r^2 < cut2, and returns the energy and virial summed in partition order. Positions may lie
/// slightly outside the box between rebuilds: separations take the minimum image.
PairSums pair_forces(const space::ContinuousSpace<3>& space, std::span<const Vec3> x,
                     const LennardJones& lj, std::span<const std::span<Vec3>> partials,
                     const space::TaskRunner& run);

}  // namespace cohort::models::lj
