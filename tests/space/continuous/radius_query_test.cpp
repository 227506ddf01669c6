#include <doctest/doctest.h>

#include <algorithm>
#include <limits>

#include "cohort/space/continuous/cell_list.hpp"
#include "cohort/space/continuous/cells_only_query.hpp"
#include "point_sets.hpp"

using namespace cohort::space;
using cohort::space::testing::brute_within;
using cohort::space::testing::random_points;

namespace {

// Every query (from each point and from random other points) against brute force, for radii
// around the bin width and one that covers whole periodic axes.
template <int D>
void check_queries(const Box<D>& box, std::size_t n, double cell, std::uint64_t seed) {
  CellList<D> cells(box, cell);
  const auto pts = random_points(box, n, cells.bin_width(0), seed);
  cells.rebuild(pts);
  const auto probes = random_points(box, 40, cells.bin_width(0), seed + 1);
  for (double radius : {0.5 * cell, 0.999 * cell, cell, cells.bin_width(0), 1.001 * cell,
                        2.7 * cell, 0.6 * box.length(0)}) {
    auto query = [&](const Vec<D>& p) {
      std::vector<std::uint32_t> got;
      cells.for_each_within(pts, p, radius, [&](std::uint32_t j, double d2) {
        CHECK(d2 == box.distance2(p, pts[j]));
        got.push_back(j);
      });
      std::sort(got.begin(), got.end());
      return got;
    };
    for (const auto& p : pts)
      REQUIRE(query(p) == brute_within(box, pts, p, radius));
    for (const auto& p : probes)
      REQUIRE(query(p) == brute_within(box, pts, p, radius));
  }
}

}  // namespace

TEST_CASE("2-D periodic radius queries find exactly the brute-force neighbour sets") {
  check_queries(Box<2>({10.0, 7.5}, {true, true}), 400, 1.0, 11);
}

TEST_CASE("2-D radius queries are exact with one bounded and one periodic axis") {
  check_queries(Box<2>({10.0, 8.0}, {false, true}), 400, 1.25, 12);
}

TEST_CASE("3-D periodic radius queries find exactly the brute-force neighbour sets") {
  check_queries(Box<3>({6.0, 5.0, 7.0}, {true, true, true}), 500, 1.0, 13);
}

TEST_CASE("3-D radius queries are exact in a bounded box with points on its upper faces") {
  check_queries(Box<3>({6.0, 6.0, 5.0}, {false, false, false}), 500, 1.5, 14);
}

TEST_CASE("radius queries are exact when a periodic axis has fewer than three bins") {
  check_queries(Box<2>({2.5, 9.0}, {true, true}), 200, 1.0, 15);
}

TEST_CASE("points exactly on the periodic edge and on bin faces are binned in range") {
  const Box<2> box({4.0, 4.0}, {true, true});
  CellList<2> cells(box, 1.0);
  const std::vector<Vec<2>> pts = {{0.0, 0.0}, {1.0, 1.0}, {3.0, 3.0}, {box.wrap(0, 4.0), 2.0}};
  cells.rebuild(pts);
  CHECK(cells.bins(0) == 3);  // floor(4 / 1.000000001)
  for (const auto& p : pts)
    CHECK(cells.cell_of(p) < cells.cell_count());
  CHECK(box.wrap(0, 4.0) == 0.0);
  CHECK(box.wrap(0, -1e-17) == 0.0);
}

TEST_CASE("the cells-only query returns every agent of its disc of bins and no distance filter") {
  // Agents.jl's rule on a 30 x 30 grid of bins (E = 100, r = 5, s = r / 1.5).
  const double r = 5.0;
  const Box<2> box({100.0, 100.0}, {true, true});
  CellList<2> cells(box, agents_jl_cell_size(r), Binning::agents_jl);
  REQUIRE(cells.bins(0) == 30);
  const auto pts = random_points(box, 2000, cells.bin_width(0), 21);
  cells.rebuild(pts);
  std::size_t extra = 0, missed = 0, total = 0;
  for (std::uint32_t i = 0; i < pts.size(); ++i) {
    const Vec<2>& p = pts[i];
    // The disc by its definition: bins at offsets |o|^2 <= R^2 around p's 1-based ceil bin.
    const double s = r / 1.5;
    int c[2];
    double delta2 = 0;
    for (int a = 0; a < 2; ++a) {
      c[a] = std::max(1, static_cast<int>(std::ceil(p[a] / s)));
      const double d = box.separation(a, p[a], s * (c[a] - 0.5));
      delta2 += d * d;
    }
    const int R = static_cast<int>(std::ceil((r + std::sqrt(delta2)) / s));
    std::vector<std::uint32_t> expected;
    for (std::uint32_t j = 0; j < pts.size(); ++j) {
      int o2 = 0;
      for (int a = 0; a < 2; ++a) {
        const int cj = std::max(1, static_cast<int>(std::ceil(pts[j][a] / s)));
        int o = cj - c[a];
        if (o > 15) o -= 30;
        if (o < -15) o += 30;
        o2 += o * o;
      }
      if (o2 <= R * R) expected.push_back(j);
    }
    std::vector<std::uint32_t> got;
    for_each_in_cells_agents_jl(cells, p, r, [&](std::uint32_t j) { got.push_back(j); });
    std::sort(got.begin(), got.end());
    REQUIRE(got == expected);
    const auto exact = brute_within(box, pts, p, r);
    total += exact.size();
    for (std::uint32_t j : got)
      extra += box.distance2(p, pts[j]) > r * r;
    for (std::uint32_t j : exact)
      missed += !std::binary_search(got.begin(), got.end(), j);
  }
  CHECK(extra > total / 2);  // an over-estimate: many beyond r ...
  CHECK(missed > 0);         // ... that still misses a few true neighbours (spec: ~1.8 %)
  CHECK(missed < total / 20);
}

TEST_CASE("a position that is not a number, or infinite, falls in an edge bin instead of nowhere") {
  // fuzz_checkpoint forged a NaN position; binning it converted NaN to an integer (undefined).
  const Box<2> box({10, 10}, {true, false});
  const CellList<2> cells(box, 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const auto n = static_cast<std::uint32_t>(cells.bins(0));
  REQUIRE(cells.bins(1) == cells.bins(0));
  const std::uint32_t top = n - 1;
  CHECK(cells.cell_of({nan, 0.5}) == top);       // x: the top bin, y: bin 0
  CHECK(cells.cell_of({0.5, nan}) == top * n);   // y: the top bin
  CHECK(cells.cell_of({-inf, inf}) == top * n);  // clamped like any outsider
  CHECK(cells.cell_of({0.5, 9.99}) == top * n);  // a finite point still bins as before
}
