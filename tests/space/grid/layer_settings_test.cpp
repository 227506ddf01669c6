// Cell layers step in parallel with the same result on any thread count; the `space:` block is
// validated and parsed into grid settings.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/space/grid/cell_layer.hpp"
#include "cohort/space/grid/grid_settings.hpp"

using namespace cohort;
using namespace cohort::space;

namespace {

std::uint64_t regrow(std::size_t threads) {
  engine::World world(engine::WorldOptions{1, threads});
  engine::Population& owner = world.add_population("cells", {.agent_ledger = false});
  const std::size_t cells = 100000;  // several blocks of kCellBlock
  CellLayer<std::int32_t> countdown(world.accountant(), owner, "countdown", cells, 0);
  for (CellIndex c = 0; c < cells; ++c)
    countdown[c] = static_cast<std::int32_t>(c % 17);
  add_cell_system(
      world, "regrow", "update", cells, [&](CellIndex b, CellIndex e, std::uint64_t step) {
        for (CellIndex c = b; c < e; ++c)
          countdown[c] = countdown[c] <= 0 ? static_cast<std::int32_t>(step % 5) : countdown[c] - 1;
      });
  for (int s = 0; s < 9; ++s)
    world.run_step();
  return reduce_cells(
      world, cells, std::uint64_t{0},
      [&](CellIndex b, CellIndex e) {
        std::uint64_t h = 0;
        for (CellIndex c = b; c < e; ++c)
          h = h * 31 + static_cast<std::uint64_t>(countdown[c]);
        return h;
      },
      [](std::uint64_t a, std::uint64_t b) { return a * 1000003 ^ b; });
}

engine::ConfigValue space_block(const std::string& yaml) {
  const engine::ParamSpec root =
      engine::ParamSpec::object("root", {grid_space_schema(GridSpaceSettings{})}, "test");
  return engine::validate(YAML::Load(yaml), root, "test.yaml");
}

}  // namespace

TEST_CASE("a layer system gives the same cells on 1, 2 and 3 threads") {
  const std::uint64_t one = regrow(1);
  CHECK(regrow(2) == one);
  CHECK(regrow(3) == one);
}

TEST_CASE("a space block is parsed into dimensions, edges, occupancy and neighbourhood") {
  const engine::ConfigValue v = space_block(
      "space: {kind: grid, dimensions: [30, 20, 4], periodic: [true, false, true],\n"
      "        occupancy: multiple, neighbourhood: {metric: von_neumann, radius: 2}}\n");
  const GridSpaceSettings s = grid_settings(v.at("space"));
  CHECK(s.dimensions == std::vector<std::uint32_t>{30, 20, 4});
  CHECK(s.periodic == std::vector<bool>{true, false, true});
  CHECK(s.occupancy == Occupancy::multiple);
  CHECK(s.neighbourhood.metric == GridMetric::manhattan);
  CHECK(s.neighbourhood.radius == 2);
  CHECK_FALSE(s.neighbourhood.include_centre);
  CHECK(s.shape().cells() == 2400);
}

TEST_CASE("a space block's defaults are the model's") {
  GridSpaceSettings d;
  d.dimensions = {25, 25};
  d.occupancy = Occupancy::multiple;
  const engine::ParamSpec root = engine::ParamSpec::object("root", {grid_space_schema(d)}, "t");
  const GridSpaceSettings s =
      grid_settings(engine::validate(YAML::Load("{}"), root, "t.yaml").at("space"));
  CHECK(s.dimensions == std::vector<std::uint32_t>{25, 25});
  CHECK(s.occupancy == Occupancy::multiple);
  CHECK(s.neighbourhood.metric == GridMetric::chebyshev);
}

TEST_CASE("periodic with the wrong number of axes is an error at its line and key") {
  const engine::ConfigValue v =
      space_block("space:\n  dimensions: [10, 10]\n  periodic: [true, true, false]\n");
  try {
    grid_settings(v.at("space"));
    FAIL("three edge modes for two axes were accepted");
  } catch (const engine::ConfigError& e) {
    CHECK(e.first().key_path == "space.periodic");
    CHECK(e.first().location.line == 3);
  }
}

TEST_CASE("an unknown metric is rejected by validation") {
  CHECK_THROWS_AS(space_block("space: {neighbourhood: {metric: hexagonal}}\n"),
                  engine::ConfigError);
}
