#include "lj_forces.hpp"

#include <algorithm>

namespace cohort::models::lj {

namespace {

// One row's pairs: i's force accumulates in registers, j's goes to this partition's array.
struct RowKernel {
  const Vec3* x;
  Vec3* f;
  double cut2;
  Vec3 length, half;
  double energy = 0, virial = 0;

  // Minimum image for coordinates within a skin of the box (wrapped at rebuilds only).
  double image(int a, double d) const {
    return d > half[a] ? d - length[a] : (d < -half[a] ? d + length[a] : d);
  }

  template <class Neighbours>
  void row(std::uint32_t i, Neighbours&& neighbours) {
    const double xi = x[i][0], yi = x[i][1], zi = x[i][2];
    double fx = 0, fy = 0, fz = 0;
    neighbours([&](std::uint32_t j) {
      const double dx = image(0, xi - x[j][0]);
      const double dy = image(1, yi - x[j][1]);
      const double dz = image(2, zi - x[j][2]);
      const double rsq = dx * dx + dy * dy + dz * dz;
      // Branch-free: about a third of the listed pairs lie beyond rc and would mispredict a
      // branch. Outside pairs get a factor 0, which adds exactly +0 to every sum, so the
      // results are bit-identical to skipping them.
      const double inside = static_cast<double>(rsq < cut2);
      const double r2inv = 1.0 / rsq;
      const double r6inv = r2inv * r2inv * r2inv;
      const double forcelj = r6inv * (LennardJones::lj1 * r6inv - LennardJones::lj2);
      const double fpair = forcelj * r2inv * inside;
      fx += dx * fpair;
      fy += dy * fpair;
      fz += dz * fpair;
      f[j][0] -= dx * fpair;
      f[j][1] -= dy * fpair;
      f[j][2] -= dz * fpair;
      energy += r6inv * (LennardJones::lj3 * r6inv - LennardJones::lj4) * inside;
      virial += fpair * rsq;
    });
    f[i][0] += fx;
    f[i][1] += fy;
    f[i][2] += fz;
  }
};

}  // namespace

PairSums pair_forces(const space::ContinuousSpace<3>& space, std::span<const Vec3> x,
                     const LennardJones& lj, std::span<const std::span<Vec3>> partials,
                     const space::TaskRunner& run) {
  const std::size_t n = x.size(), parts = partials.size();
  std::vector<PairSums> sums(parts);
  const Vec3 length = space.box().lengths();
  const Vec3 half = {0.5 * length[0], 0.5 * length[1], 0.5 * length[2]};
  run(parts, [&](std::size_t p, std::size_t) {
    std::span<Vec3> f = partials[p];
    std::fill(f.begin(), f.end(), Vec3{0, 0, 0});
    RowKernel k{x.data(), f.data(), lj.cut2, length, half};
    const auto begin = static_cast<std::uint32_t>(n * p / parts);
    const auto end = static_cast<std::uint32_t>(n * (p + 1) / parts);
    if (space.uses_list()) {
      const std::span<const std::uint32_t> offsets = space.list().offsets();
      const std::uint32_t* nb = space.list().neighbours().data();
      for (std::uint32_t i = begin; i < end; ++i)
        k.row(i, [&](auto&& pair) {
          for (std::uint32_t e = offsets[i]; e < offsets[i + 1]; ++e)
            pair(nb[e]);
        });
    } else {
      for (std::uint32_t i = begin; i < end; ++i)
        k.row(i, [&](auto&& pair) { space.for_each_neighbour(i, pair); });
    }
    sums[p] = {k.energy, k.virial};
  });
  PairSums total;
  for (const PairSums& s : sums)
    total.energy += s.energy, total.virial += s.virial;
  return total;
}

}  // namespace cohort::models::lj
