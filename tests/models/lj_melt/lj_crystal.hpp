#pragma once
// A jittered fcc crystal in a continuous space with the benchmark's cutoff and skin, for the
// lj_melt force tests.

#include <random>

#include "cohort/engine/world.hpp"
#include "cohort/space/continuous/continuous_space.hpp"
#include "lj_melt/lattice.hpp"
#include "lj_melt/lj_forces.hpp"

namespace lj_melt_test {

/// cells^3 fcc cells at the benchmark's density, each coordinate moved by up to +-jitter
/// (wrapped into the box), in a space with the benchmark's cutoff and skin, built once (with a
/// half list, or with bins only).
struct JitteredCrystal {
  static cohort::space::ContinuousOptions options(bool list) {
    cohort::space::ContinuousOptions o;
    o.cutoff = 2.5;
    o.skin = 0.3;
    o.neighbour_list = list;
    return o;
  }
  const int cells;
  const double a = cohort::models::lj::fcc_spacing(0.8442);
  cohort::engine::World world{cohort::engine::WorldOptions{1, 1}};
  cohort::engine::Population& pop = world.add_population("atoms");
  const cohort::engine::Component<cohort::models::lj::Vec3> x =
      pop.add_component<cohort::models::lj::Vec3>("position");
  const cohort::space::Box<3> box{{cells * a, cells* a, cells* a}, {true, true, true}};
  cohort::space::ContinuousSpace<3> sp;

  JitteredCrystal(double jitter, std::uint64_t seed, int n = 4, bool list = true)
      : cells(n), sp(pop, x, box, options(list), world.accountant()) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(-jitter, jitter);
    for (const cohort::models::lj::Vec3& p : cohort::models::lj::fcc_positions(n, n, n, a)) {
      const auto row = pop.row_of(pop.create());
      for (int k = 0; k < 3; ++k)
        pop.column(x)[row][k] = box.wrap(k, p[k] + u(gen));
    }
    sp.update();
  }
};

}  // namespace lj_melt_test
