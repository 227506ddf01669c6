// Flocking: the observables against brute force, and the reference statistics of the small case
// (classic_abm_models.md section 1) over 40 seeds, for the exact and the cells-only search.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

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
      CHECK(got.polarisation == doctest::Approx(want.polarisation).epsilon(1e-12));
      CHECK(got.mean_nn_distance == doctest::Approx(want.mean_nn_distance).epsilon(1e-12));
      CHECK(got.mean_neighbours == want.mean_neighbours);
    }
    run.world->run_step();
  }
}

// Reference means and standard deviations at steps 1, 10, 25, 50, 100.
struct Reference {
  double phi[5], phi_sd[5], nn[5], nn_sd[5], nbrs[5], nbrs_sd[5];
};

// Means over `seeds` runs of the small case at the reference steps; each must lie within 4
// standard errors of the reference mean (steps without a reference have sd 0 and are skipped).
void check_reference(NeighbourSearch search, const Reference& ref, int seeds) {
  constexpr int kSteps[5] = {1, 10, 25, 50, 100};
  double phi[5] = {}, nn[5] = {}, nbrs[5] = {};
  for (int seed = 0; seed < seeds; ++seed) {
    FlockRun run = make_flock(100, 5, 200, 1000 + static_cast<std::uint64_t>(seed), search);
    std::size_t k = 0;
    for (int t = 1; t <= 100; ++t) {
      run.world->run_step();
      if (kSteps[k] != t) continue;
      const FlockStats s = run.flock->stats(*run.world);
      phi[k] += s.polarisation;
      nn[k] += s.mean_nn_distance;
      nbrs[k] += s.mean_neighbours;
      ++k;
    }
  }
  const double n = seeds, root = std::sqrt(n);
  for (std::size_t k = 0; k < 5; ++k) {
    if (ref.phi_sd[k] == 0) continue;
    INFO("step " << kSteps[k] << ": phi " << phi[k] / n << " nn " << nn[k] / n << " neighbours "
                 << nbrs[k] / n);
    CHECK(std::abs(phi[k] / n - ref.phi[k]) < 4 * ref.phi_sd[k] / root);
    CHECK(std::abs(nn[k] / n - ref.nn[k]) < 4 * ref.nn_sd[k] / root);
    CHECK(std::abs(nbrs[k] / n - ref.nbrs[k]) < 4 * ref.nbrs_sd[k] / root);
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
                  {{0.063, 0.076, 0.101, 0.135, 0.218},
                   {0.030, 0.037, 0.042, 0.063, 0.103},
                   {3.47, 3.18, 2.96, 2.48, 1.81},
                   {0.14, 0.13, 0.13, 0.15, 0.11},
                   {1.61, 1.92, 2.24, 2.79, 4.00},
                   {0.12, 0.10, 0.19, 0.29, 0.51}},
                  40);
}

TEST_CASE(
    "flocking small case, cells_only search: step-100 means over 40 seeds within the "
    "Agents.jl bands") {
  check_reference(NeighbourSearch::cells_only,
                  {{0, 0, 0, 0, 0.268},
                   {0, 0, 0, 0, 0.111},
                   {0, 0, 0, 0, 2.12},
                   {0, 0, 0, 0, 0.11},
                   {0, 0, 0, 0, 5.05},
                   {0, 0, 0, 0, 0.85}},
                  40);
}
