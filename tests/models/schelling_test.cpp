// Schelling: every invariant of classic_abm_models.md section 2, and the reference statistics of
// the small case over 30 seeds.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "schelling/segregation.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

using namespace cohort;
using namespace cohort::models::schelling;
using engine::Row;
using space::CellIndex;

namespace {

struct Run {
  std::unique_ptr<engine::World> world;
  std::unique_ptr<Segregation> model;
  std::shared_ptr<std::uint64_t> moved = std::make_shared<std::uint64_t>(0);  // this step
};

using Observer = std::function<void(Segregation&, Row, engine::RandomStream&)>;

// A Schelling world as the model builds it; `observe` (if set) replaces the plain activation.
Run make(std::uint32_t side, std::uint64_t agents, std::uint32_t radius, std::uint32_t min_happy,
         std::uint64_t seed, Observer observe = {}) {
  Run r;
  r.world = std::make_unique<engine::World>(engine::WorldOptions{seed, 1});
  engine::Population& pop = r.world->add_population("agents", {.agent_ledger = false});
  space::GridSpaceSettings grid;
  grid.dimensions = {side, side};
  grid.periodic = {false, false};
  grid.neighbourhood = space::NeighbourhoodSpec::moore(radius);
  r.model = std::make_unique<Segregation>(*r.world, pop, grid, SegregationSettings{min_happy});
  r.model->populate(*r.world, agents);
  Segregation* m = r.model.get();
  std::uint64_t* moved = r.moved.get();
  if (!observe) {  // as the model runs it
    r.world->add_system("activate", "update", [m, moved](engine::World& w, std::uint64_t step) {
      *moved = m->step(w, step);
    });
    return r;
  }
  r.world->add_system("activate", "update", pop,
                      [m, observe](engine::BlockContext& ctx, Row b, Row e) {
                        for (const Row row : ctx.rows(b, e)) {
                          engine::RandomStream rng = ctx.rng(ctx.population.uid_at(row), 1);
                          observe(*m, row, rng);
                        }
                      },
                      {.schedule = engine::Schedule::random});
  return r;
}

// Same-group agents around `row`, counted from scratch over every other agent.
std::uint32_t brute_same(const Segregation& m, Row row, std::uint32_t radius) {
  const space::GridShape& g = m.grid().shape();
  const auto group = m.agents().column(m.group());
  const space::Coord a = g.coord(m.grid().cell_of(row));
  std::uint32_t same = 0;
  for (Row o = 0; o < m.agents().size(); ++o) {
    if (o == row) continue;
    const space::Coord b = g.coord(m.grid().cell_of(o));
    if (std::abs(a.x - b.x) <= static_cast<int>(radius) &&
        std::abs(a.y - b.y) <= static_cast<int>(radius))
      same += group[o] == group[row];
  }
  return same;
}

}  // namespace

TEST_CASE("schelling: groups split 499/501, one agent per cell, X^2 - K empty cells") {
  Run r = make(40, 1000, 1, 3, 5);
  const auto group = r.model->agents().column(r.model->group());
  std::map<std::uint8_t, int> count;
  for (const std::uint8_t g : group)
    ++count[g];
  CHECK(count[1] == 499);
  CHECK(count[2] == 501);
  for (int t = 0; t < 5; ++t) {
    r.world->run_step();
    std::vector<int> on(1600, 0);
    for (Row row = 0; row < 1000; ++row)
      REQUIRE(++on[r.model->grid().cell_of(row)] == 1);
    CHECK(r.model->grid().empty_count() == 600);
    CHECK(r.model->agents().size() == 1000);
    std::map<std::uint8_t, int> now;
    for (const std::uint8_t g : r.model->agents().column(r.model->group()))
      ++now[g];
    CHECK(now == count);
  }
}

TEST_CASE("schelling: an agent moves iff it had too few like neighbours, onto a then-empty cell") {
  std::uint64_t moves = 0, stays = 0;
  Run r = make(20, 250, 2, 8, 3, [&](Segregation& m, Row row, engine::RandomStream& rng) {
    const std::uint32_t same = brute_same(m, row, 2);
    std::vector<bool> empty(400);
    for (CellIndex c = 0; c < 400; ++c)
      empty[c] = m.grid().is_empty(c);
    const CellIndex from = m.grid().cell_of(row);
    const Activation a = m.activate(row, rng);
    CHECK(a.same == same);
    if (same < 8) {
      REQUIRE(a.to != space::kNoCell);
      CHECK(empty[a.to]);
      CHECK(m.grid().cell_of(row) == a.to);
      ++moves;
    } else {
      CHECK(a.to == space::kNoCell);
      CHECK(m.grid().cell_of(row) == from);
      ++stays;
    }
  });
  for (int t = 0; t < 4; ++t)
    r.world->run_step();
  CHECK(moves > 100);
  CHECK(stays > 100);
}

TEST_CASE("schelling: with min_to_be_happy 0 nobody ever moves") {
  Run r = make(40, 1000, 1, 0, 8);
  const std::vector<CellIndex> start(r.model->grid().cells().begin(),
                                     r.model->grid().cells().end());
  for (int t = 0; t < 5; ++t) {
    r.world->run_step();
    CHECK(*r.moved == 0);
  }
  CHECK(std::equal(start.begin(), start.end(), r.model->grid().cells().begin()));
  CHECK(r.model->stats(*r.world).happy == 1.0);
}

TEST_CASE("schelling small case: means over 30 seeds within the reference bands") {
  struct Ref {
    int step;
    double moved, moved_sd, happy, happy_sd, share, share_sd;
  };
  const Ref refs[] = {{1, 0.484, 0.017, 0.697, 0.017, 0.635, 0.014},
                      {2, 0.298, 0.017, 0.788, 0.014, 0.706, 0.013},
                      {5, 0.121, 0.012, 0.909, 0.011, 0.809, 0.014},
                      {10, 0.031, 0.007, 0.976, 0.006, 0.859, 0.014},
                      {20, 0.002, 0.002, 0.998, 0.002, 0.874, 0.013}};
  constexpr int kSeeds = 30;
  double moved[5] = {}, happy[5] = {}, share[5] = {};
  for (int seed = 0; seed < kSeeds; ++seed) {
    Run r = make(40, 1000, 1, 3, 500 + static_cast<std::uint64_t>(seed));
    std::size_t k = 0;
    for (int t = 1; t <= 20; ++t) {
      r.world->run_step();
      if (refs[k].step != t) continue;
      const SegregationStats s = r.model->stats(*r.world);
      moved[k] += static_cast<double>(*r.moved) / 1000.0;
      happy[k] += s.happy;
      share[k] += s.same_share;
      ++k;
    }
  }
  const double root = std::sqrt(double{kSeeds});
  for (std::size_t k = 0; k < 5; ++k) {
    INFO("step " << refs[k].step << ": moved " << moved[k] / kSeeds << " happy "
                 << happy[k] / kSeeds << " share " << share[k] / kSeeds);
    CHECK(std::abs(moved[k] / kSeeds - refs[k].moved) < 4 * refs[k].moved_sd / root + 1e-3);
    CHECK(std::abs(happy[k] / kSeeds - refs[k].happy) < 4 * refs[k].happy_sd / root + 1e-3);
    CHECK(std::abs(share[k] / kSeeds - refs[k].share) < 4 * refs[k].share_sd / root);
  }
}

TEST_CASE("schelling refuses a multiple-occupancy space at its file, line and key") {
  const cohort::testing::TempDir dir;
  std::ofstream(dir / "s.yaml") << "model: schelling\npopulations: {agents: {size: 10}}\n"
                                   "space:\n  dimensions: [5, 5]\n  occupancy: multiple\n";
  try {
    (void)engine::load_run_settings(cohort::testing::builtin_registry(), dir / "s.yaml");
    FAIL("a multiple-occupancy Schelling grid was accepted");
  } catch (const engine::ConfigError& e) {
    CHECK(e.first().key_path == "space.occupancy");
    CHECK(e.first().location.line == 5);
    CHECK(e.first().expected == "single (one agent a cell)");
  }
}

TEST_CASE("schelling refuses more agents than cells before it runs") {
  const cohort::testing::TempDir dir;
  std::ofstream(dir / "s.yaml") << "model: schelling\npopulations: {agents: {size: 26}}\n"
                                   "space: {dimensions: [5, 5]}\n";
  CHECK_THROWS_AS(
      (void)engine::load_run_settings(cohort::testing::builtin_registry(), dir / "s.yaml"),
      engine::ConfigError);
}
