#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "cohort/engine/worker_pool.hpp"
#include "cohort/space/continuous/neighbour_list.hpp"
#include "point_sets.hpp"

using namespace cohort::space;
using cohort::space::testing::brute_pairs;
using cohort::space::testing::brute_within;
using cohort::space::testing::random_points;
using Pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

namespace {

template <int D>
Pairs half_pairs(const NeighbourList<D>& list) {
  Pairs out;
  for (std::uint32_t i = 0; i < list.rows(); ++i)
    for (std::uint32_t j : list.neighbours_of(i))
      out.emplace_back(std::min(i, j), std::max(i, j));
  std::sort(out.begin(), out.end());
  return out;
}

template <int D>
void check_lists(const Box<D>& box, std::size_t n, double range, std::uint64_t seed) {
  CellList<D> cells(box, range);
  const auto pts = random_points(box, n, cells.bin_width(0), seed);
  cells.rebuild(pts);
  const Pairs expected = brute_pairs(box, pts, range);
  NeighbourList<D> half, full;
  half.build(cells, pts, range, ListKind::half);
  full.build(cells, pts, range, ListKind::full);
  CHECK(half.entries() == expected.size());
  CHECK(half_pairs(half) == expected);  // each pair exactly once
  CHECK(full.entries() == 2 * expected.size());
  for (std::uint32_t i = 0; i < n; ++i) {
    std::vector<std::uint32_t> got(full.neighbours_of(i).begin(), full.neighbours_of(i).end());
    std::sort(got.begin(), got.end());
    auto want = brute_within(box, pts, pts[i], range);
    want.erase(std::find(want.begin(), want.end(), i));
    REQUIRE(got == want);
  }
}

TaskRunner runner_of(cohort::engine::WorkerPool& pool) {
  return {[&pool](std::size_t tasks, const TaskFn& fn) { pool.run(tasks, fn); }, pool.size()};
}

}  // namespace

TEST_CASE("half lists hold each pair within range once and full lists each pair twice, in 3-D") {
  check_lists(Box<3>({8.0, 8.4, 9.0}, {true, true, true}), 900, 2.8, 31);
  check_lists(Box<3>({8.0, 8.0, 6.0}, {true, false, true}), 700, 2.0, 32);
}

TEST_CASE("half and full lists equal brute force in 2-D, also with under three bins per axis") {
  check_lists(Box<2>({20.0, 13.0}, {true, true}), 800, 1.3, 33);
  check_lists(Box<2>({5.0, 12.0}, {true, false}), 300, 2.0, 34);
}

TEST_CASE("lists, cells and their order are identical on 1, 2 and 3 threads") {
  const Box<3> box({60.0, 60.0, 60.0}, {true, true, true});
  // Enough rows for several sort chunks (2^16 rows each) and list chunks (4096 rows each).
  const auto pts = random_points(box, 140000, 1.0, 35);
  std::vector<std::uint32_t> cells_ref, offsets_ref, list_ref;
  for (std::size_t threads : {1, 2, 3}) {
    cohort::engine::WorkerPool pool(threads);
    CellList<3> cells(box, 1.0);
    cells.rebuild(pts, runner_of(pool));
    NeighbourList<3> list;
    list.build(cells, pts, 1.0, ListKind::half, runner_of(pool));
    std::vector<std::uint32_t> order;
    for (std::uint32_t c = 0; c < cells.cell_count(); ++c)
      for (std::uint32_t r : cells.rows_in(c))
        order.push_back(r);
    const std::vector<std::uint32_t> off(list.offsets().begin(), list.offsets().end());
    const std::vector<std::uint32_t> nb(list.neighbours().begin(), list.neighbours().end());
    if (threads == 1) {
      cells_ref = order, offsets_ref = off, list_ref = nb;
      CHECK(list.entries() > 0);
    } else {
      CHECK(order == cells_ref);
      CHECK(off == offsets_ref);
      CHECK(nb == list_ref);
    }
  }
}

TEST_CASE("a Verlet list misses no pair within the cutoff while every move stays below skin/2") {
  const double cutoff = 1.5, skin = 0.4;
  const Box<3> box({9.0, 9.0, 9.0}, {true, true, true});
  auto pts = random_points(box, 800, cutoff + skin, 36);
  CellList<3> cells(box, cutoff + skin);
  cells.rebuild(pts);
  NeighbourList<3> list;
  list.build(cells, pts, cutoff + skin, ListKind::half);
  const auto start = pts;
  std::mt19937_64 gen(37);
  for (int step = 0; step < 10; ++step) {
    for (std::size_t i = 0; i < pts.size(); ++i) {
      // A random walk bounded to 0.99 * skin/2 from the build position, wrapped.
      Vec<3> p;
      double d2 = 0;
      for (int a = 0; a < 3; ++a) {
        const double d = box.separation(a, start[i][a], pts[i][a]) +
                         std::uniform_real_distribution<double>(-0.05, 0.05)(gen);
        p[a] = d;
        d2 += d * d;
      }
      const double scale = d2 > 0.0396 ? std::sqrt(0.0396 / d2) : 1.0;  // (0.99 * 0.2)^2
      for (int a = 0; a < 3; ++a)
        pts[i][a] = box.wrap(a, start[i][a] + p[a] * scale);
    }
    const Pairs listed = half_pairs(list);
    for (const auto& pair : brute_pairs(box, pts, cutoff))
      REQUIRE(std::binary_search(listed.begin(), listed.end(), pair));
  }
}

TEST_CASE("half and full lists equal brute force with exactly three bins per periodic axis") {
  // The smallest box where the half list uses the forward stencil: the bins at x - 1 and x + 1
  // are both images across an edge for some rows, so a stencil run splits at the edge.
  check_lists(Box<3>({7.6, 7.6, 7.6}, {true, true, true}), 400, 2.5, 36);
  check_lists(Box<2>({7.6, 9.0}, {true, true}), 200, 2.5, 37);
}

TEST_CASE("half and full lists equal brute force with two bins on one periodic axis in 3-D") {
  check_lists(Box<3>({5.2, 7.6, 9.0}, {true, true, true}), 400, 2.5, 38);
  check_lists(Box<3>({9.0, 7.6, 5.2}, {true, false, true}), 400, 2.5, 39);
}

TEST_CASE("a pair exactly at the range is listed, in its bin, across a bin face and an edge") {
  const Box<3> box({10.0, 10.0, 10.0}, {true, true, true});
  CellList<3> cells(box, 2.5);  // 3 bins of 3.333 per axis
  // Separations of exactly 2.5 (all values exact in binary): inside one bin, across a face and
  // across the periodic edge; and one pair a hair beyond the range.
  const std::vector<Vec<3>> pts = {
      {0.25, 1.0, 1.0}, {2.75, 1.0, 1.0}, {3.0, 5.0, 5.0}, {5.5, 5.0, 5.0},
      {8.75, 9.0, 9.0}, {1.25, 9.0, 9.0}, {5.0, 8.0, 1.0}, {5.0, 8.0, 3.5000000000000004}};
  cells.rebuild(pts);
  NeighbourList<3> half;
  half.build(cells, pts, 2.5, ListKind::half);
  const Pairs expected = {{0, 1}, {2, 3}, {4, 5}};
  CHECK(brute_pairs(box, pts, 2.5) == expected);
  CHECK(half_pairs(half) == expected);
}
