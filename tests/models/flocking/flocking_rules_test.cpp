// Flocking: the invariants and worked updates of classic_abm_models.md section 1, both searches.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "flocking_support.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

using namespace cohort;
using namespace cohort::testing::flocking;
using engine::Row;

namespace {

// Birds the Agents.jl rule must return for a bird at `p`, from scratch: every other bird whose
// bin is at an offset o with |o|^2 <= R^2, R = ceil((r + delta) / s).
std::uint32_t brute_cells_only(const Flock& f, Row row) {
  const auto pos = f.birds().column(f.position());
  const space::CellList<2>& cells = f.cells();
  const auto c = cells.coords(cells.cell_of(pos[row]));
  const double s = cells.bin_width(0);
  double delta2 = 0;
  for (int a = 0; a < 2; ++a) {
    const double d = f.box().separation(a, pos[row][a], s * (c[a] + 0.5));
    delta2 += d * d;
  }
  const int reach =
      static_cast<int>(std::ceil((f.rules().visual_distance + std::sqrt(delta2)) / s));
  std::uint32_t n = 0;
  for (Row j = 0; j < pos.size(); ++j) {
    if (j == row) continue;
    const auto o = cells.coords(cells.cell_of(pos[j]));
    long o2 = 0;
    for (int a = 0; a < 2; ++a) {
      const int bins = cells.bins(a);
      int d = ((o[a] - c[a]) % bins + bins) % bins;
      if (d > bins / 2) d -= bins;
      o2 += static_cast<long>(d) * d;
    }
    n += o2 <= static_cast<long>(reach) * reach;
  }
  return n;
}

std::uint32_t brute_exact(const Flock& f, Row row) {
  const auto pos = f.birds().column(f.position());
  const double r2 = f.rules().visual_distance * f.rules().visual_distance;
  std::uint32_t n = 0;
  for (Row j = 0; j < pos.size(); ++j)
    n += j != row && f.box().distance2(pos[row], pos[j]) <= r2;
  return n;
}

// Activates every bird of a 200-bird flock once per step for 5 steps, in row order, checking
// each activation against the rules and the neighbour count against brute force on the
// positions as they are then (the bins follow every move).
void check_activations(NeighbourSearch search) {
  FlockRun run = make_flock(100, 5, 200, 17, search);
  Flock& f = *run.flock;
  const auto pos = f.birds().column(f.position());
  const auto vel = f.birds().column(f.velocity());
  const std::vector<engine::Uid> uids(f.birds().uids().begin(), f.birds().uids().end());
  std::uint64_t seen = 0;
  for (int t = 0; t < 5; ++t) {
    for (Row row = 0; row < pos.size(); ++row) {
      const std::uint32_t expected =
          search == NeighbourSearch::exact ? brute_exact(f, row) : brute_cells_only(f, row);
      const Vec2 before = pos[row];
      REQUIRE(f.activate(row) == expected);
      seen += expected;
      CHECK(std::abs(std::hypot(vel[row][0], vel[row][1]) - 1) < 1e-12);
      CHECK(std::abs(std::sqrt(f.box().distance2(before, pos[row])) - 1) < 1e-12);
      for (int a = 0; a < 2; ++a) {
        CHECK(pos[row][a] >= 0);
        CHECK(pos[row][a] < 100);
      }
    }
    run.world->run_step();  // the shuffled order too
  }
  CHECK(seen > 1000);  // the birds did see one another
  CHECK(f.birds().size() == 200);
  CHECK(std::equal(uids.begin(), uids.end(), f.birds().uids().begin(), f.birds().uids().end()));
}

}  // namespace

TEST_CASE(
    "flocking: each activation leaves a unit velocity, moves one unit and sees exactly the "
    "birds within r now") {
  check_activations(NeighbourSearch::exact);
}

TEST_CASE(
    "flocking cells_only: each activation sees exactly Agents.jl's disc of bins as the "
    "birds stand now") {
  check_activations(NeighbourSearch::cells_only);
}

TEST_CASE("flocking: one neighbour at 0.5 steers and moves the bird as the spec's worked update") {
  FlockRun run = make_flock(100, 5, 0, 1);
  Flock& f = *run.flock;
  const Row bird = f.add_bird({50, 50}, {1, 0});
  f.add_bird({50.5, 50}, {0, 1});
  CHECK(f.activate(bird) == 1);
  check_bird(f, bird, {0.9987708112299153, 0.04956678963920175},
             {50.99877081122992, 50.0495667896392});
}

TEST_CASE("flocking: neighbours across the wrap count, r is inclusive, and the bird wraps") {
  FlockRun run = make_flock(100, 5, 0, 1);
  Flock& f = *run.flock;
  const Row bird = f.add_bird({0.25, 50}, {-1, 0});
  f.add_bird({99.75, 50}, {0, 1});  // h = (-0.5, 0): separating
  f.add_bird({3.25, 54}, {1, 0});   // distance exactly 5: included
  f.add_bird({10, 50}, {1, 1});     // excluded
  CHECK(f.activate(bird) == 2);
  check_bird(f, bird, {-0.995882271543435, 0.09065594975228056},
             {99.25411772845656, 50.09065594975228});
}

TEST_CASE("flocking: an isolated bird's unnormalised initial velocity is normalised") {
  FlockRun run = make_flock(100, 5, 0, 1);
  Flock& f = *run.flock;
  const Row bird = f.add_bird({20, 20}, {0.3, -0.4});
  f.add_bird({80, 80}, {1, 0});
  CHECK(f.activate(bird) == 0);
  check_bird(f, bird, {0.6, -0.8}, {20.6, 19.2});
}

TEST_CASE("flocking cells_only sees a bird beyond r in a nearby bin; exact search does not") {
  for (const NeighbourSearch search : {NeighbourSearch::exact, NeighbourSearch::cells_only}) {
    FlockRun run = make_flock(100, 5, 0, 1, search);
    Flock& f = *run.flock;
    const Row bird = f.add_bird({50, 50}, {1, 0});
    f.add_bird({55.5, 50}, {0, 1});  // 5.5 away, two bins of 10/3 to the right
    CHECK(f.activate(bird) == (search == NeighbourSearch::exact ? 0u : 1u));
  }
}

TEST_CASE(
    "flocking refuses a 3-D box, a radius over half the box and a cells_only box too "
    "small for its disc, at file, line and key") {
  const cohort::testing::TempDir dir;
  struct Bad {
    const char* space;
    const char* key;
    int line;
  };
  for (const Bad& bad :
       {Bad{"space:\n  box: [10, 10, 10]\n", "space.box", 4},
        Bad{"space:\n  box: [20, 20]\n  cutoff: 10.5\n", "space.cutoff", 5},
        Bad{"space:\n  box: [20, 20]\n  cutoff: 5\n  query: cells_only\n", "space.cutoff", 5}}) {
    CAPTURE(bad.space);
    std::ofstream(dir / "f.yaml") << "model: flocking\npopulations: {birds: {size: 10}}\n"
                                  << bad.space;
    try {
      (void)engine::load_run_settings(cohort::testing::builtin_registry(), dir / "f.yaml");
      FAIL("a bad flocking space was accepted");
    } catch (const engine::ConfigError& e) {
      CHECK(e.first().key_path == bad.key);
      CHECK(e.first().location.line == bad.line);
    }
  }
}
