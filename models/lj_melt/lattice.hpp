#pragma once
// LAMMPS' initial state of the LJ benchmark, reproduced bit for bit: the fcc lattice of
// `lattice fcc 0.8442` + `create_atoms`, and the velocities of `velocity create T seed loop
// geom` (Park-Miller uniforms reseeded per atom by a hash of its coordinates). See
// specs/lj_melt.md, sections 3 and 4.

#include <cstdint>
#include <vector>

#include "cohort/space/continuous/box.hpp"

namespace cohort::models::lj {

using Vec3 = space::Vec<3>;

/// fcc lattice constant at reduced density `density`: pow(4 / 1 / density, 1 / 3) as LAMMPS.
double fcc_spacing(double density);

/// Atoms of nx x ny x nz fcc unit cells of side `a`, in LAMMPS' creation order (z, y, x, basis);
/// each coordinate is (cell + basis fraction) * a.
std::vector<Vec3> fcc_positions(int nx, int ny, int nz, double a);

/// LAMMPS' RanPark: the minimal-standard Park-Miller generator (Schrage's method).
class ParkMiller {
 public:
  explicit ParkMiller(std::int32_t seed) : seed_(seed) {}
  /// A uniform in (0, 1): seed * (1 / (2^31 - 1)).
  double uniform();
  /// RanPark::reset(ibase, coord): Jenkins one-at-a-time hash of the 4 bytes of `base` and the
  /// 24 bytes of `coord` (bytes read as signed char), seed = hash & 0x7ffffff (0 -> 1), then 5
  /// uniforms discarded.
  void reset(std::int32_t base, const Vec3& coord);
  std::int32_t seed() const { return seed_; }

 private:
  std::int32_t seed_;
};

/// The seed RanPark::reset(base, x) derives before its warm-up (the spec's "hashed seed").
std::int32_t loop_geom_seed(std::int32_t base, const Vec3& x);

/// The raw velocity `loop geom` gives an atom at `x` (before momentum zeroing and scaling):
/// three uniforms minus 0.5 after reset(seed, x).
Vec3 loop_geom_velocity(std::int32_t seed, const Vec3& x);

/// Velocities for `positions` as `velocity all create temperature seed loop geom` (mass 1):
/// raw per-atom velocities, total momentum zeroed, scaled to `temperature` with 3N - 3 degrees
/// of freedom.
std::vector<Vec3> create_velocities(const std::vector<Vec3>& positions, double temperature,
                                    std::int32_t seed);

}  // namespace cohort::models::lj
