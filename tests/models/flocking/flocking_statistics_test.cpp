// Flocking: the observables against brute force, and the reference statistics of the small case
// (classic_abm_models.md section 1) over 40 seeds, for the exact and the cells-only search.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "flocking_support.hpp"

using namespace cohort;
using namespace cohort::testing::flocking;
using engine::Row;
using models::flocking::FlockStats;

namespace {

FlockStats brute_stats(const Flock& f) {
  const auto pos = f.birds().column(f.position());
  const auto vel = f.birds().column(f.velocity());
  const double r2 = f.rules().visual_distance * f.rules().visual_distance;
  double vx = 0, vy = 0, nn = 0, count = 0;
  for (Row i = 0; i < pos.size(); ++i) {
    vx += vel[i][0];
    vy += vel[i][1];
    double best = std::numeric_limits<double>::infinity();
    for (Row j = 0; j < pos.size(); ++j) {
      if (j == i) continue;
      const double d2 = f.box().distance2(pos[i], pos[j]);
      best = std::min(best, d2);
      count += d2 <= r2;
    }
    nn += std::sqrt(best);
  }
  const double n = static_cast<double>(pos.size());
  return {std::hypot(vx, vy) / n, nn / n, count / n};
}

void check_stats(NeighbourSearch search, double side, double r, std::uint64_t birds) {
  FlockRun run = make_flock(side, r, birds, 23, search);
  for (int t = 0; t <= 30; ++t) {
    if (t % 10 == 0) {
      const FlockStats got = run.flock->stats(*run.world), want = brute_stats(*run.flock);
      // The model sums in fixed point (units of 2^-43 here, flock_fixed_unit): each term is off
      // by up to 5.7e-14, so a 200-term sum by up to 1.1e-11.
      CHECK(got.polarisation == doctest::Approx(want.polarisation).epsilon(1e-11));
      CHECK(got.mean_nn_distance == doctest::Approx(want.mean_nn_distance).epsilon(1e-11));
      CHECK(got.mean_neighbours == want.mean_neighbours);
    }
    run.world->run_step();
  }
}

// A reference row of the spec: the step, then mean and s.d. of each observable.
struct Reference {
  int step;
  double phi, phi_sd, nn, nn_sd, nbrs, nbrs_sd;
};

// Means over `seeds` runs of the small case at the reference steps must lie within 4 standard
// errors of the reference means.
void check_reference(NeighbourSearch search, std::vector<Reference> refs, int seeds) {
  std::vector<FlockStats> sum(refs.size());
  for (int seed = 0; seed < seeds; ++seed) {
    FlockRun run = make_flock(100, 5, 200, 1000 + static_cast<std::uint64_t>(seed), search);
    std::size_t k = 0;
    for (int t = 1; k < refs.size(); ++t) {
      run.world->run_step();
      if (refs[k].step != t) continue;
      const FlockStats s = run.flock->stats(*run.world);
      sum[k].polarisation += s.polarisation;
      sum[k].mean_nn_distance += s.mean_nn_distance;
      sum[k].mean_neighbours += s.mean_neighbours;
      ++k;
    }
  }
  const double n = seeds, root = std::sqrt(n);
  for (std::size_t k = 0; k < refs.size(); ++k) {
    const Reference& ref = refs[k];
    const FlockStats mean{sum[k].polarisation / n, sum[k].mean_nn_distance / n,
                          sum[k].mean_neighbours / n};
    INFO("step " << ref.step << ": phi " << mean.polarisation << " nn " << mean.mean_nn_distance
                 << " neighbours " << mean.mean_neighbours);
    CHECK(std::abs(mean.polarisation - ref.phi) < 4 * ref.phi_sd / root);
    CHECK(std::abs(mean.mean_nn_distance - ref.nn) < 4 * ref.nn_sd / root);
    CHECK(std::abs(mean.mean_neighbours - ref.nbrs) < 4 * ref.nbrs_sd / root);
  }
}

}  // namespace

TEST_CASE("flocking observables equal brute force over every pair") {
  check_stats(NeighbourSearch::exact, 100, 5, 200);
  check_stats(NeighbourSearch::exact, 40, 15, 150);
}

TEST_CASE("flocking observables stay exact when the birds use Agents.jl's bins") {
  check_stats(NeighbourSearch::cells_only, 100, 5, 200);
  check_stats(NeighbourSearch::cells_only, 100, 7, 200);  // 21.43 bins of r / 1.5: 21, wider
}

TEST_CASE("flocking small case, exact search: means over 40 seeds within the reference bands") {
  check_reference(NeighbourSearch::exact,
                  {{1, 0.063, 0.030, 3.47, 0.14, 1.61, 0.12},
                   {10, 0.076, 0.037, 3.18, 0.13, 1.92, 0.10},
                   {25, 0.101, 0.042, 2.96, 0.13, 2.24, 0.19},
                   {50, 0.135, 0.063, 2.48, 0.15, 2.79, 0.29},
                   {100, 0.218, 0.103, 1.81, 0.11, 4.00, 0.51}},
                  40);
}

TEST_CASE(
    "flocking small case, cells_only search: step-100 means over 40 seeds within the "
    "Agents.jl bands") {
  check_reference(NeighbourSearch::cells_only, {{100, 0.268, 0.111, 2.12, 0.11, 5.05, 0.85}}, 40);
}
