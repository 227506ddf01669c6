// The occupancy index follows the population's rows through placements, moves, births, deaths,
// swap-removes and permutations, keeps the empty-cell set exact, charges exactly what it holds,
// and survives a checkpoint.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/memory/refusal.hpp"
#include "cohort/space/grid/cell_layer.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

using namespace cohort;
using namespace cohort::space;
using engine::AgentIndex;
using engine::Row;

namespace {

// Everything the index says, checked against a recount from the rows' cells.
void check_consistent(const GridOccupancy& g, const engine::Population& pop) {
  REQUIRE(g.cells().size() == pop.size());
  std::vector<std::uint32_t> count(g.shape().cells(), 0);
  for (Row r = 0; r < pop.size(); ++r)
    if (g.cell_of(r) != kNoCell) ++count[g.cell_of(r)];
  std::size_t empty = 0;
  for (CellIndex c = 0; c < g.shape().cells(); ++c) {
    REQUIRE(g.count(c) == count[c]);
    std::uint32_t listed = 0;
    g.for_each_in(c, [&](Row r) {
      REQUIRE(g.cell_of(r) == c);
      ++listed;
    });
    REQUIRE(listed == count[c]);
    empty += count[c] == 0;
  }
  if (!g.tracks_empty()) return;
  REQUIRE(g.empty_count() == empty);
  for (std::size_t i = 0; i < g.empty_count(); ++i)
    REQUIRE(count[g.empty_at(i)] == 0);
}

std::uint64_t space_bytes(engine::World& w, engine::Population& pop, memory::TagId tag) {
  w.accountant().settle();
  return pop.account().counters(memory::Scope::population, tag).used;
}
std::uint64_t space_held(engine::World& w, engine::Population& pop, memory::TagId tag) {
  w.accountant().settle();
  return pop.account().counters(memory::Scope::population, tag).held;
}

}  // namespace

TEST_CASE("single occupancy refuses a taken cell and keeps the empty cells exact") {
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  GridOccupancy g(world.accountant(), pop, GridShape::plane(4, 3, false), Occupancy::single);
  const Row a = pop.row_of(pop.create());
  const Row b = pop.row_of(pop.create());
  CHECK(g.cell_of(a) == kNoCell);
  CHECK(g.empty_count() == 12);
  CHECK(g.place(a, 5));
  CHECK_FALSE(g.place(b, 5));
  CHECK(g.place(b, 6));
  CHECK_FALSE(g.move(a, 6));
  CHECK(g.move(a, 7));
  CHECK(g.first(7) == a);
  CHECK(g.is_empty(5));
  CHECK(g.empty_count() == 10);
  g.remove(b);
  CHECK(g.empty_count() == 11);
  check_consistent(g, pop);
}

TEST_CASE("multiple occupancy lists a cell's agents most recent arrival first") {
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  GridOccupancy g(world.accountant(), pop, GridShape::plane(3, 3, true), Occupancy::multiple);
  std::vector<Row> rows;
  for (int i = 0; i < 4; ++i) {
    rows.push_back(pop.row_of(pop.create()));
    CHECK(g.place(rows.back(), 4));
  }
  std::vector<Row> listed;
  g.for_each_in(4, [&](Row r) { listed.push_back(r); });
  CHECK(listed == std::vector<Row>{3, 2, 1, 0});
  CHECK(g.count(4) == 4);
  CHECK(g.move(rows[1], 0));
  CHECK(g.count(4) == 3);
  CHECK(g.empty_count() == 7);
  check_consistent(g, pop);
}

TEST_CASE("the index follows births, deaths, swap-removes and permutations") {
  const std::pair<Occupancy, EmptyCells> kinds[3] = {{Occupancy::single, EmptyCells::tracked},
                                                     {Occupancy::multiple, EmptyCells::tracked},
                                                     {Occupancy::multiple, EmptyCells::untracked}};
  for (const auto& [mode, empty_cells] : kinds) {
    engine::World world(engine::WorldOptions{1, 1});
    engine::Population& pop = world.add_population("a", {.agent_ledger = false});
    const auto where = pop.add_component<CellIndex>("where");  // the truth, kept by the population
    GridOccupancy g(world.accountant(), pop, GridShape::plane(20, 20, true), mode, empty_cells);
    std::mt19937 rng(7);
    std::vector<engine::AgentId> alive;
    for (int round = 0; round < 2000; ++round) {
      const int op = static_cast<int>(rng() % 4);
      if ((op <= 1 && pop.size() < 300) || alive.empty()) {  // birth on a random (free) cell
        const engine::AgentId id = pop.create();
        const Row r = pop.row_of(id);
        CellIndex c = rng() % 400;
        while (!g.place(r, c))
          c = (c + 1) % 400;
        pop.column(where)[r] = c;
        alive.push_back(id);
      } else if (op <= 2) {  // death of a random agent
        const std::size_t i = rng() % alive.size();
        pop.destroy(alive[i]);
        alive.erase(alive.begin() + static_cast<long>(i));
      } else {  // a move
        const Row r = pop.row_of(alive[rng() % alive.size()]);
        const CellIndex c = rng() % 400;
        if (g.move(r, c)) pop.column(where)[r] = c;
      }
      if (round % 500 == 499) {
        std::vector<Row> order(pop.size());
        std::iota(order.begin(), order.end(), Row{0});
        std::shuffle(order.begin(), order.end(), rng);
        pop.permute(order);
      }
    }
    for (Row r = 0; r < pop.size(); ++r)
      REQUIRE(g.cell_of(r) == pop.column(where)[r]);
    check_consistent(g, pop);
    if (mode == Occupancy::single) CHECK(g.empty_count() == 400 - pop.size());
  }
}

TEST_CASE("space.cells holds exactly the cell arrays plus the row entries") {
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  const SpaceTags tags = SpaceTags::intern(world.accountant().tags());
  {
    GridOccupancy g(world.accountant(), pop, GridShape::plane(10, 10, false), Occupancy::multiple);
    CHECK(space_bytes(world, pop, tags.cells) == 100 * 12);
    std::vector<engine::AgentId> ids;
    for (int i = 0; i < 37; ++i) {
      ids.push_back(pop.create());
      g.place(pop.row_of(ids.back()), static_cast<CellIndex>(i % 7));
    }
    CHECK(space_bytes(world, pop, tags.cells) == 100 * 12 + 37 * 12);
    // Held: room for 64 rows (doubled from 1 as they came); deaths keep it.
    CHECK(space_held(world, pop, tags.cells) == 100 * 12 + 64 * 12);
    for (int i = 0; i < 37; i += 3)
      pop.destroy(ids[static_cast<std::size_t>(i)]);
    CHECK(space_bytes(world, pop, tags.cells) == 100 * 12 + 24 * 12);
    CHECK(space_held(world, pop, tags.cells) == 100 * 12 + 64 * 12);
    pop.clear();
    CHECK(space_bytes(world, pop, tags.cells) == 100 * 12);
    CHECK(space_held(world, pop, tags.cells) == 100 * 12 + 64 * 12);
  }
  CHECK(space_bytes(world, pop, tags.cells) == 0);
  {
    CellLayer<std::uint16_t> grass(world.accountant(), pop, "grass", 250, 3);
    CHECK(space_bytes(world, pop, tags.layers) == 500);
  }
  CHECK(space_bytes(world, pop, tags.layers) == 0);
}

TEST_CASE("a grid that does not track empty cells charges 4 B a cell and refuses to draw one") {
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  const SpaceTags tags = SpaceTags::intern(world.accountant().tags());
  GridOccupancy g(world.accountant(), pop, GridShape::plane(10, 10, false), Occupancy::multiple,
                  EmptyCells::untracked);
  CHECK(space_bytes(world, pop, tags.cells) == 100 * 4);
  g.place(pop.row_of(pop.create()), 3);
  CHECK(g.count(3) == 1);
  engine::RandomStream rng(1, 2, 3, 4);
  CHECK_THROWS_AS(g.random_empty(rng), std::logic_error);
  CHECK_THROWS_AS(g.empty_count(), std::logic_error);
}

TEST_CASE("a grid beyond the population budget is a typed refusal naming the tag") {
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population(
      "a", {.agent_ledger = false, .population_budget = memory::PopulationLimits::from_hard(1000)});
  try {
    GridOccupancy g(world.accountant(), pop, GridShape::plane(10, 10, false), Occupancy::single);
    FAIL("a 1200-byte grid fitted a 1000-byte budget");
  } catch (const memory::BudgetExceeded& e) {
    CHECK(e.refusal().tag == "space.cells");
    CHECK(e.refusal().requested == 1200);
    CHECK(e.refusal().limit == 1000);
  }
}

TEST_CASE("births between settles see the grid index bytes of the births before them") {
  // The grid's per-row bytes reach the counters at the next settle; the budget test must not wait
  // for it, or every birth of one phase would overshoot the hard limit by its index entry.
  engine::World world(engine::WorldOptions{1, 1});
  engine::Population& pop = world.add_population(
      "a", {.agent_ledger = false, .population_budget = memory::PopulationLimits::from_hard(8000)});
  GridOccupancy g(world.accountant(), pop, GridShape::plane(10, 10, false), Occupancy::multiple);
  world.accountant().settle();
  const std::uint64_t grid_cells = pop.budget_bytes();
  engine::AgentId id;
  std::uint64_t born = 0;
  while (pop.try_create(id) == engine::BirthStatus::ok)
    ++born;
  world.accountant().settle();
  CHECK(pop.budget_bytes() <= 8000);
  const std::uint64_t per_birth = (pop.budget_bytes() - grid_cells) / born;
  CHECK(per_birth == pop.component_bytes_per_agent() + pop.overhead_bytes_per_agent() + 12);
  CHECK(pop.birth_bytes() == per_birth);
  CHECK(pop.budget_bytes() + per_birth > 8000);  // the refused birth would have crossed it
  CHECK(pop.refused_births() == 1);
}

namespace {

// A 6 x 6 multiple-occupancy grid over 30 agents, placed at random (seed 3), or created unplaced
// (the side a checkpoint loads into).
struct SixBySix {
  engine::World world{engine::WorldOptions{1, 1}};
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  GridOccupancy g{world.accountant(), pop, GridShape::plane(6, 6, false), Occupancy::multiple};
  std::mt19937 rng{3};
  explicit SixBySix(bool place) {
    for (int i = 0; i < 30; ++i) {
      const Row r = pop.row_of(pop.create());
      if (place) g.place(r, rng() % 36);
    }
  }
};

}  // namespace

TEST_CASE("a saved index loads back identical, cell lists and empty-cell order included") {
  SixBySix saved(true);
  GridOccupancy& g = saved.g;
  for (int i = 0; i < 20; ++i)
    g.move(static_cast<Row>(saved.rng() % 30), saved.rng() % 36);
  engine::CheckpointWriter out;
  g.save(out);

  SixBySix loaded(false);
  GridOccupancy& g2 = loaded.g;
  engine::Population& pop2 = loaded.pop;
  engine::CheckpointReader in(out.bytes().data(), out.bytes().size());
  g2.load(in);
  for (CellIndex c = 0; c < 36; ++c) {
    std::vector<Row> a, b;
    g.for_each_in(c, [&](Row r) { a.push_back(r); });
    g2.for_each_in(c, [&](Row r) { b.push_back(r); });
    CHECK(a == b);
  }
  REQUIRE(g.empty_count() == g2.empty_count());
  for (std::size_t i = 0; i < g.empty_count(); ++i)
    CHECK(g.empty_at(i) == g2.empty_at(i));
  check_consistent(g2, pop2);
}

TEST_CASE("a forged cell-list link is refused on load, and the agents still leave cleanly") {
  // Found by fuzz_checkpoint: a `prev` link out of range passed the checks (only `next` was
  // walked), and the agent's removal then indexed past the links (a crash on exit 4).
  SixBySix saved(true);
  engine::CheckpointWriter out;
  saved.g.save(out);
  std::vector<std::byte> forged = out.bytes();
  const std::uint32_t far = 1000000;  // the last row's prev: the payload's last 4 bytes
  REQUIRE(forged.size() > sizeof far);
  const auto* far_bytes = reinterpret_cast<const std::byte*>(&far);
  std::copy(far_bytes, far_bytes + sizeof far, forged.end() - sizeof far);

  SixBySix loaded(false);
  GridOccupancy& g2 = loaded.g;
  engine::Population& pop2 = loaded.pop;
  engine::CheckpointReader in(forged.data(), forged.size());
  CHECK_THROWS_WITH_AS(g2.load(in), doctest::Contains("a cell list is broken"),
                       engine::CheckpointError);
  pop2.clear();
  CHECK(pop2.size() == 0);
}

TEST_CASE("agents within a radius, found through the neighbourhood, equal brute force") {
  const GridMetric metrics[3] = {GridMetric::chebyshev, GridMetric::manhattan,
                                 GridMetric::euclidean};
  const std::uint32_t dims3[3] = {9, 7, 5};
  for (const std::size_t d : {2u, 3u})
    for (const bool torus : {false, true})
      for (const GridMetric m : metrics)
        for (std::uint32_t radius = 1; radius <= 2; ++radius) {
          engine::World world(engine::WorldOptions{1, 1});
          engine::Population& pop = world.add_population("a", {.agent_ledger = false});
          const bool p[3] = {torus, torus, torus};
          const GridShape shape(std::span<const std::uint32_t>(dims3, d),
                                std::span<const bool>(p, d));
          GridOccupancy g(world.accountant(), pop, shape, Occupancy::multiple);
          std::mt19937 rng(radius * 7 + d);
          for (int i = 0; i < 120; ++i)
            g.place(pop.row_of(pop.create()), static_cast<CellIndex>(rng() % shape.cells()));
          const NeighbourhoodSpec spec{m, radius, true};
          const Neighbourhood n(shape, spec);
          for (Row r = 0; r < pop.size(); ++r) {
            std::vector<Row> found;
            n.for_each(g.cell_of(r), [&](CellIndex c) {
              g.for_each_in(c, [&](Row o) {
                if (o != r) found.push_back(o);
              });
            });
            std::vector<Row> want;
            for (Row o = 0; o < pop.size(); ++o) {
              const Coord s =
                  shape.separation(shape.coord(g.cell_of(r)), shape.coord(g.cell_of(o)));
              const long x = std::labs(s.x), y = std::labs(s.y), z = std::labs(s.z);
              const long rr = radius;
              const bool in = m == GridMetric::chebyshev   ? std::max({x, y, z}) <= rr
                              : m == GridMetric::manhattan ? x + y + z <= rr
                                                           : x * x + y * y + z * z <= rr * rr;
              if (o != r && in) want.push_back(o);
            }
            std::sort(found.begin(), found.end());
            REQUIRE(found == want);
          }
        }
}
