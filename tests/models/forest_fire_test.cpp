// ForestFire: every invariant of classic_abm_models.md section 4, and the reference statistics of
// the small case over 40 seeds.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "forest_fire/forest.hpp"

using namespace cohort;
using cohort::models::forest_fire::Forest;
using cohort::models::forest_fire::ForestSettings;
using namespace cohort::models::forest_fire;
using space::CellIndex;

namespace {

// A planted forest with its world (declared first, so it outlives the layer).
struct Run {
  std::unique_ptr<engine::World> world;
  std::unique_ptr<Forest> forest;
};

Run plant(std::uint32_t side, double density, std::uint64_t seed, std::size_t threads = 1,
          bool whole_column = false) {
  Run r;
  r.world = std::make_unique<engine::World>(engine::WorldOptions{seed, threads});
  engine::Population& owner = r.world->add_population("forest", {.agent_ledger = false});
  space::GridSpaceSettings grid;
  grid.dimensions = {side, side};
  grid.periodic = {false, false};
  grid.neighbourhood = space::NeighbourhoodSpec::von_neumann(1);
  r.forest = std::make_unique<Forest>(*r.world, owner, grid, ForestSettings{density, whole_column});
  r.forest->plant(*r.world, owner.index());
  return r;
}

}  // namespace

TEST_CASE("forest fire: cells only go green, burning, burnt; trees and the burnt count add up") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Run r = plant(60, 0.7, seed);
    Forest& f = *r.forest;
    const space::GridShape& g = f.shape();
    const std::uint64_t trees = f.trees();
    std::vector<std::uint8_t> before(f.states().begin(), f.states().end());
    for (int t = 1; t <= 100; ++t) {
      const std::uint64_t burnt_before = f.burnt(), burning_before = f.burning();
      f.step();
      const auto now = f.states();
      std::uint64_t tree_cells = 0, burnt = 0, burning = 0;
      for (CellIndex c = 0; c < now.size(); ++c) {
        REQUIRE((now[c] == before[c] || now[c] == before[c] + 1));  // 1 -> 2 -> 3 only
        REQUIRE((before[c] != kEmpty || now[c] == kEmpty));
        tree_cells += now[c] != kEmpty;
        burnt += now[c] == kBurnt;
        if (now[c] != kBurning) continue;
        ++burning;
        bool next_to_fire = false;  // (3) adjacent to a cell burning at t - 1
        const space::Coord at = g.coord(c);
        for (const space::Coord d : {space::Coord{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
          const CellIndex n = g.resolve(at.x + d.x, at.y + d.y);
          next_to_fire |= n != space::kNoCell && before[n] == kBurning;
        }
        REQUIRE(next_to_fire);
      }
      CHECK(tree_cells == trees);
      CHECK(burnt == burnt_before + burning_before);  // (2)
      CHECK(burnt == f.burnt());
      CHECK(burning == f.burning());
      before.assign(now.begin(), now.end());
    }
  }
}

TEST_CASE("forest fire at density 1: the front is column t + 1 and F(t) = t / X") {
  Run r = plant(50, 1.0, 9);
  Forest& f = *r.forest;
  for (int t = 1; t < 50; ++t) {
    f.step();
    CHECK(f.burning() == 50);
    for (const CellIndex c : f.front())
      REQUIRE(f.shape().coord(c).x == t);
    CHECK(f.burnt_fraction() == doctest::Approx(t / 50.0).epsilon(1e-15));
  }
}

TEST_CASE("forest fire histories do not depend on the order the front is processed") {
  Run a = plant(80, 0.62, 4), b = plant(80, 0.62, 4);
  for (int t = 0; t < 100; ++t) {
    a.forest->step(false);
    b.forest->step(true);
    const auto sa = a.forest->states(), sb = b.forest->states();
    REQUIRE(std::equal(sa.begin(), sa.end(), sb.begin(), sb.end()));
  }
}

TEST_CASE("forest fire plants the same forest on 1, 2 and 3 threads") {
  Run one = plant(300, 0.7, 5, 1);  // 90,000 cells: several planting blocks
  for (const std::size_t t : {2u, 3u}) {
    Run other = plant(300, 0.7, 5, t);
    const auto a = one.forest->states(), b = other.forest->states();
    CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
}

TEST_CASE("forest fire: only the left column's trees burn first, or all its cells as an option") {
  Run trees = plant(100, 0.7, 3), all = plant(100, 0.7, 3, 1, true);
  std::uint64_t left_trees = 0;
  for (CellIndex c = 0; c < trees.forest->states().size(); ++c)
    if (trees.forest->shape().coord(c).x == 0) left_trees += trees.forest->states()[c] != kEmpty;
  CHECK(trees.forest->burning() == left_trees);
  CHECK(all.forest->burning() == 100);
  CHECK(left_trees < 90);
}

TEST_CASE("forest fire small case: means over 40 seeds within the reference bands") {
  // classic_abm_models.md: mean +- s.d. over seeds; we accept the mean within 4 standard errors.
  struct Ref {
    int step;
    double f, f_sd, burning, burning_sd;
  };
  const Ref refs[] = {{10, 0.0717, 0.0054, 48, 8},
                      {25, 0.177, 0.012, 51, 8},
                      {50, 0.361, 0.015, 51, 9},
                      {100, 0.735, 0.021, 53, 8}};
  constexpr int kSeeds = 40;
  double f_sum[4] = {}, burning_sum[4] = {};
  double trees = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    Run r = plant(100, 0.7, 1000 + static_cast<std::uint64_t>(seed));
    trees += static_cast<double>(r.forest->trees());
    std::size_t k = 0;
    for (int t = 1; t <= 100; ++t) {
      r.forest->step();
      if (k < 4 && refs[k].step == t) {
        f_sum[k] += r.forest->burnt_fraction();
        burning_sum[k] += static_cast<double>(r.forest->burning());
        ++k;
      }
    }
  }
  CHECK(std::abs(trees / kSeeds - 6994) < 4 * 46 / std::sqrt(kSeeds));  // binomial s.d. ~46
  for (std::size_t k = 0; k < 4; ++k) {
    INFO("step " << refs[k].step);
    CHECK(std::abs(f_sum[k] / kSeeds - refs[k].f) < 4 * refs[k].f_sd / std::sqrt(kSeeds));
    CHECK(std::abs(burning_sum[k] / kSeeds - refs[k].burning) <
          4 * refs[k].burning_sd / std::sqrt(kSeeds));
  }
}
