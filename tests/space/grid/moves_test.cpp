// Moves requested by parallel systems resolve through the engine's claims: the same winners on
// any thread count, never two agents on one cell.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/grid_moves.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

using namespace cohort;
using namespace cohort::space;
using engine::Row;

namespace {

struct Outcome {
  std::map<engine::Uid, CellIndex> cells;  // by uid, so row order does not matter
  std::uint64_t moved = 0, refused = 0;
};

// 600 agents on a 40 x 40 torus each ask every step for a random Moore neighbour cell (or, every
// third step, a random empty cell); crowded enough that many requests collide.
Outcome crowd(std::size_t threads, engine::ClaimRule rule) {
  engine::World world(engine::WorldOptions{11, threads});
  engine::Population& pop = world.add_population("walkers", {.agent_ledger = false});
  const GridShape shape = GridShape::plane(40, 40, true);
  GridOccupancy grid(world.accountant(), pop, shape, Occupancy::single);
  GridMoves moves(world, pop, grid, rule);
  const Neighbourhood moore(shape, NeighbourhoodSpec::moore());
  for (CellIndex c = 0; c < 1600 && pop.size() < 600; c += 1 + c % 3)
    grid.place(pop.row_of(pop.create()), c);
  world.add_system("walk", "update", pop,
                   [&](engine::BlockContext& ctx, Row begin, Row end) {
                     for (Row r = begin; r < end; ++r) {
                       engine::RandomStream rng = ctx.rng(ctx.population.uid_at(r), 0);
                       if (ctx.step % 3 == 2) {
                         moves.request_random_empty(ctx, r, rng);
                         continue;
                       }
                       const std::uint32_t pick = rng.below(8);
                       std::uint32_t k = 0;
                       moore.for_each(grid.cell_of(r), [&](CellIndex n) {
                         if (k++ == pick) moves.request(ctx, r, n);
                       });
                     }
                   },
                   {.cost_ns = 2000});  // small blocks: several per thread
  for (int s = 0; s < 12; ++s)
    world.run_step();
  Outcome out;
  std::vector<int> seen(1600, 0);
  for (Row r = 0; r < pop.size(); ++r) {
    out.cells[pop.uid_at(r)] = grid.cell_of(r);
    REQUIRE(++seen[grid.cell_of(r)] == 1);
  }
  out.moved = moves.moved();
  out.refused = moves.refused();
  return out;
}

}  // namespace

TEST_CASE("crowded moves resolve identically on 1, 2 and 3 threads, one agent per cell") {
  for (const engine::ClaimRule rule : {engine::ClaimRule::random, engine::ClaimRule::lowest_uid}) {
    const Outcome one = crowd(1, rule);
    CHECK(one.refused > 100);  // collisions did happen
    CHECK(one.moved > 1000);
    for (const std::size_t t : {2u, 3u}) {
      const Outcome other = crowd(t, rule);
      CHECK(other.cells == one.cells);
      CHECK(other.moved == one.moved);
      CHECK(other.refused == one.refused);
    }
  }
}

TEST_CASE("two agents that want one free cell: exactly one moves, the oldest under lowest_uid") {
  engine::World world(engine::WorldOptions{1, 2});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  GridOccupancy grid(world.accountant(), pop, GridShape::plane(3, 1, false), Occupancy::single);
  GridMoves moves(world, pop, grid, engine::ClaimRule::lowest_uid);
  const Row older = pop.row_of(pop.create());
  const Row younger = pop.row_of(pop.create());
  grid.place(older, 0);
  grid.place(younger, 2);
  world.add_system("both", "update", pop, [&](engine::BlockContext& ctx, Row b, Row e) {
    for (Row r = b; r < e; ++r)
      moves.request(ctx, r, 1);
  });
  world.run_step();
  CHECK(grid.cell_of(older) == 1);
  CHECK(grid.cell_of(younger) == 2);
  CHECK(moves.moved() == 1);
  CHECK(moves.refused() == 1);
}

TEST_CASE("on a multiple-occupancy grid every requested move happens") {
  engine::World world(engine::WorldOptions{1, 2});
  engine::Population& pop = world.add_population("a", {.agent_ledger = false});
  GridOccupancy grid(world.accountant(), pop, GridShape::plane(3, 1, false), Occupancy::multiple);
  GridMoves moves(world, pop, grid);
  for (int i = 0; i < 5; ++i)
    grid.place(pop.row_of(pop.create()), static_cast<CellIndex>(i % 3));
  world.add_system("all", "update", pop, [&](engine::BlockContext& ctx, Row b, Row e) {
    for (Row r = b; r < e; ++r)
      moves.request(ctx, r, 1);
  });
  world.run_step();
  CHECK(grid.count(1) == 5);
  CHECK(moves.moved() == 5);
}
