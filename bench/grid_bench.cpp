// Grid space: neighbour iteration over a 1000 x 1000 torus holding 800,000 agents (one per cell),
// Moore radius 1, every agent visiting its 8 neighbour cells and counting their agents.
//
//   build/release/bench/grid_bench --benchmark_repetitions=5
//
// Target (issue 10): <= 10 ms for all agents on 2 threads. Arguments: threads, and whether the
// population's rows were first sorted by cell (1) or are in random placement order (0).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

using namespace cohort;
using namespace cohort::space;

namespace {

constexpr std::uint32_t kSide = 1000;
constexpr std::size_t kAgents = 800'000;

void BM_MooreNeighbours(benchmark::State& state) {
  engine::World world(engine::WorldOptions{1, static_cast<std::size_t>(state.range(0))});
  engine::Population& pop = world.add_population("agents", {.agent_ledger = false});
  const GridShape shape = GridShape::plane(kSide, kSide, true);
  GridOccupancy grid(world.accountant(), pop, shape, Occupancy::single);
  const Neighbourhood moore(shape, NeighbourhoodSpec::moore(1));
  std::vector<CellIndex> cells(shape.cells());
  std::iota(cells.begin(), cells.end(), CellIndex{0});
  std::mt19937_64 rng(3);
  std::shuffle(cells.begin(), cells.end(), rng);
  pop.reserve(kAgents);
  for (std::size_t i = 0; i < kAgents; ++i)
    grid.place(pop.row_of(pop.create()), cells[i]);
  if (state.range(1) == 1) {
    const std::span<const CellIndex> keys = grid.cells();
    pop.sort_by(std::vector<std::uint32_t>(keys.begin(), keys.end()),
                static_cast<std::uint32_t>(shape.cells()));
  }
  std::vector<std::uint64_t> found(engine::World::block_count(kAgents));
  for (auto _ : state) {
    world.for_each_block(kAgents, [&](std::size_t b, std::size_t) {
      const std::size_t begin = b * engine::kBlockRows;
      const std::size_t end = std::min(kAgents, begin + engine::kBlockRows);
      std::uint64_t n = 0;
      for (std::size_t r = begin; r < end; ++r)
        moore.for_each(grid.cell_of(static_cast<engine::Row>(r)),
                       [&](CellIndex c) { n += grid.count(c); });
      found[b] = n;
    });
    benchmark::DoNotOptimize(found.data());
  }
  std::uint64_t total = 0;
  for (const std::uint64_t n : found)
    total += n;
  state.counters["neighbours_per_agent"] = static_cast<double>(total) / kAgents;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kAgents * 8));
}
BENCHMARK(BM_MooreNeighbours)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "sorted"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
