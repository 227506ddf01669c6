// Continuous space: cell-list rebuild and half Verlet list build at the LJ benchmark's density,
// and exact radius queries for every agent of a 2-D population.
//
//   build/release/bench/continuous_space_bench --benchmark_repetitions=5
//
// BM_CellRebuild/threads:2   1,000,000 points, 3-D, density 0.8442, bins >= 2.8: <= 20 ms
// BM_HalfListBuild/threads:2 the same points, range 2.5 + 0.3, rows sorted by bin: <= 250 ms,
//                            list_bytes_per_point <= 170
// BM_RadiusQuery/threads:2   1,000,000 agents, 2-D, one per unit area, exact radius 1 for
//                            every agent: ns_per_candidate <= 3 (every row of the 3 x 3 bins
//                            around the agent's bin is a candidate, candidates_per_agent);
//                            ns_per_agent and pairs_per_s (pairs found, self excluded) reported
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "cohort/engine/worker_pool.hpp"
#include "cohort/space/continuous/neighbour_list.hpp"

using namespace cohort::space;

namespace {

constexpr std::size_t kPoints = 1'000'000;

template <int D>
std::vector<Vec<D>> uniform_points(const Box<D>& box, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<Vec<D>> pts(n);
  for (auto& p : pts)
    for (int a = 0; a < D; ++a)
      p[a] = std::uniform_real_distribution<double>(0, box.length(a))(gen);
  return pts;
}

// Reorders points by bin, as ContinuousSpace's sort_rows does through Population::sort_by.
template <int D>
void sort_by_bin(const CellList<D>& cells, std::vector<std::array<double, D>>& pts) {
  std::vector<Vec<D>> sorted;
  sorted.reserve(pts.size());
  for (std::uint32_t c = 0; c < cells.cell_count(); ++c)
    for (std::uint32_t r : cells.rows_in(c))
      sorted.push_back(pts[r]);
  pts.swap(sorted);
}

TaskRunner runner_of(cohort::engine::WorkerPool& pool) {
  return {[&pool](std::size_t tasks, const TaskFn& fn) { pool.run(tasks, fn); }, pool.size()};
}

Box<3> lj_box() {
  const double l = std::cbrt(static_cast<double>(kPoints) / 0.8442);
  return Box<3>({l, l, l}, {true, true, true});
}

void BM_CellRebuild(benchmark::State& state) {
  cohort::engine::WorkerPool pool(static_cast<std::size_t>(state.range(0)));
  const Box<3> box = lj_box();
  auto pts = uniform_points(box, kPoints, 1);
  CellList<3> cells(box, 2.8);
  cells.rebuild(pts, runner_of(pool));
  sort_by_bin<3>(cells, pts);
  for (auto _ : state)
    cells.rebuild(pts, runner_of(pool));
  state.counters["cell_bytes_per_point"] = static_cast<double>(cells.bytes()) / kPoints;
}
BENCHMARK(BM_CellRebuild)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_HalfListBuild(benchmark::State& state) {
  cohort::engine::WorkerPool pool(static_cast<std::size_t>(state.range(0)));
  const Box<3> box = lj_box();
  auto pts = uniform_points(box, kPoints, 2);
  CellList<3> cells(box, 2.8);
  cells.rebuild(pts, runner_of(pool));
  sort_by_bin<3>(cells, pts);
  cells.rebuild(pts, runner_of(pool));
  NeighbourList<3> list;
  list.build(cells, pts, 2.8, ListKind::half, runner_of(pool));  // steady state: pages reused
  for (auto _ : state)
    list.build(cells, pts, 2.8, ListKind::half, runner_of(pool));
  state.counters["list_bytes_per_point"] = static_cast<double>(list.bytes()) / kPoints;
  state.counters["neighbours_per_point"] = static_cast<double>(list.entries()) / kPoints;
}
BENCHMARK(BM_HalfListBuild)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_RadiusQuery(benchmark::State& state) {
  cohort::engine::WorkerPool pool(static_cast<std::size_t>(state.range(0)));
  const double l = std::sqrt(static_cast<double>(kPoints));
  const Box<2> box({l, l}, {true, true});
  auto pts = uniform_points(box, kPoints, 3);
  CellList<2> cells(box, 1.0);
  cells.rebuild(pts);
  sort_by_bin<2>(cells, pts);
  cells.rebuild(pts);
  // Candidates examined: every row in the 3 x 3 bins around each agent's bin.
  double candidates = 0;
  for (std::uint32_t c = 0; c < cells.cell_count(); ++c) {
    double around = 0;
    cells.for_each_cell_around(cells.coords(c), {1, 1},
                               [&](std::uint32_t at, const Vec<2>&, const std::array<bool, 2>&) {
                                 around += static_cast<double>(cells.rows_in(at).size());
                               });
    candidates += around * static_cast<double>(cells.rows_in(c).size());
  }
  constexpr std::size_t kTaskRows = 16384;
  const std::size_t tasks = (kPoints + kTaskRows - 1) / kTaskRows;
  std::vector<std::uint64_t> found(tasks);
  for (auto _ : state) {
    pool.run(tasks, [&](std::size_t t, std::size_t) {
      std::uint64_t n = 0;
      for (std::size_t r = t * kTaskRows, end = std::min(kPoints, r + kTaskRows); r < end; ++r)
        cells.for_each_within(pts, pts[r], 1.0, [&](std::uint32_t j, double) { n += j != r; });
      found[t] = n;
    });
  }
  const double pairs = static_cast<double>(std::accumulate(found.begin(), found.end(), 0ull));
  const double its = static_cast<double>(state.iterations());
  state.counters["ns_per_candidate"] = benchmark::Counter(
      candidates * its * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ns_per_agent"] =
      benchmark::Counter(static_cast<double>(kPoints) * its * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["pairs_per_s"] = benchmark::Counter(pairs * its, benchmark::Counter::kIsRate);
  state.counters["candidates_per_agent"] = candidates / kPoints;
}
BENCHMARK(BM_RadiusQuery)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
