// Grid neighbourhoods against hand-written tables for each metric and edge mode, in 2-D and 3-D,
// and against brute force over every cell.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "cohort/space/grid/neighbourhood.hpp"

using namespace cohort::space;

namespace {

std::vector<CellIndex> around(const GridShape& g, NeighbourhoodSpec spec, Coord at) {
  std::vector<CellIndex> out;
  Neighbourhood(g, spec).cells(g.index(at), out);
  return out;
}

GridShape cube(std::uint32_t n, bool torus) {
  const std::uint32_t e[3] = {n, n, n};
  const bool p[3] = {torus, torus, torus};
  return GridShape(e, p);
}

bool within(NeighbourhoodSpec s, Coord d) {
  const long x = std::labs(d.x), y = std::labs(d.y), z = std::labs(d.z), r = s.radius;
  switch (s.metric) {
    case GridMetric::chebyshev:
      return std::max({x, y, z}) <= r;
    case GridMetric::manhattan:
      return x + y + z <= r;
    case GridMetric::euclidean:
      return x * x + y * y + z * z <= r * r;
  }
  return false;
}

}  // namespace

TEST_CASE("cells map to coordinates and back on 2-D and 3-D grids") {
  const std::uint32_t e[3] = {7, 5, 3};
  const bool p[3] = {false, true, false};
  const GridShape g(e, p);
  CHECK(g.cells() == 105);
  CHECK(g.index({6, 4, 2}) == 104);
  CHECK(g.coord(104) == Coord{6, 4, 2});
  for (CellIndex c = 0; c < g.cells(); ++c)
    CHECK(g.index(g.coord(c)) == c);
  CHECK(g.resolve(0, -1, 0) == g.index({0, 4, 0}));
  CHECK(g.resolve(-1, 0, 0) == kNoCell);
  CHECK(g.resolve(0, 0, 3) == kNoCell);
}

TEST_CASE("Moore neighbours of a bounded 5x5 grid: centre, edge and corner") {
  const GridShape g = GridShape::plane(5, 5, false);
  CHECK(around(g, NeighbourhoodSpec::moore(), {2, 2}) ==
        std::vector<CellIndex>{6, 7, 8, 11, 13, 16, 17, 18});
  CHECK(around(g, NeighbourhoodSpec::moore(), {0, 0}) == std::vector<CellIndex>{1, 5, 6});
  CHECK(around(g, NeighbourhoodSpec::moore(), {4, 2}) == std::vector<CellIndex>{8, 9, 13, 18, 19});
  CHECK(around(g, {GridMetric::chebyshev, 1, true}, {0, 0}) == std::vector<CellIndex>{0, 1, 5, 6});
}

TEST_CASE("Moore neighbours of a 5x5 torus wrap at the corner, in offset order") {
  const GridShape g = GridShape::plane(5, 5, true);
  CHECK(around(g, NeighbourhoodSpec::moore(), {0, 0}) ==
        std::vector<CellIndex>{24, 20, 21, 4, 1, 9, 5, 6});
}

TEST_CASE("von Neumann neighbours of a 5x5 grid, bounded and torus") {
  CHECK(around(GridShape::plane(5, 5, false), NeighbourhoodSpec::von_neumann(), {0, 0}) ==
        std::vector<CellIndex>{1, 5});
  CHECK(around(GridShape::plane(5, 5, true), NeighbourhoodSpec::von_neumann(), {0, 0}) ==
        std::vector<CellIndex>{20, 4, 1, 5});
  CHECK(around(GridShape::plane(5, 5, false), NeighbourhoodSpec::von_neumann(2), {2, 2}) ==
        std::vector<CellIndex>{2, 6, 7, 8, 10, 11, 13, 14, 16, 17, 18, 22});
}

TEST_CASE("Euclidean radius 2 with its centre at a bounded corner, and radius 3 counts") {
  const GridShape g = GridShape::plane(5, 5, false);
  CHECK(around(g, {GridMetric::euclidean, 2, true}, {0, 0}) ==
        std::vector<CellIndex>{0, 1, 2, 5, 6, 10});
  const GridShape big = GridShape::plane(9, 9, true);
  CHECK(around(big, {GridMetric::euclidean, 3, false}, {4, 4}).size() == 28);
  CHECK(around(big, {GridMetric::manhattan, 3, false}, {4, 4}).size() == 24);
  CHECK(around(big, {GridMetric::chebyshev, 3, false}, {4, 4}).size() == 48);
}

TEST_CASE("one axis a torus, the other bounded: only the periodic axis wraps") {
  const std::uint32_t e[2] = {5, 5};
  const bool p[2] = {true, false};
  const GridShape g(e, p);
  CHECK(around(g, NeighbourhoodSpec::moore(), {0, 0}) == std::vector<CellIndex>{4, 1, 9, 5, 6});
}

TEST_CASE("3-D von Neumann neighbours: bounded centre and torus corner") {
  CHECK(around(cube(3, false), NeighbourhoodSpec::von_neumann(), {1, 1, 1}) ==
        std::vector<CellIndex>{4, 10, 12, 14, 16, 22});
  CHECK(around(cube(4, true), NeighbourhoodSpec::von_neumann(), {0, 0, 0}) ==
        std::vector<CellIndex>{48, 12, 3, 1, 4, 16});
  CHECK(around(cube(3, false), NeighbourhoodSpec::von_neumann(), {0, 0, 0}) ==
        std::vector<CellIndex>{1, 3, 9});
}

TEST_CASE("3-D Moore neighbourhoods hold 26 cells inside, 7 at a bounded corner") {
  CHECK(around(cube(3, false), NeighbourhoodSpec::moore(), {1, 1, 1}).size() == 26);
  CHECK(around(cube(3, false), NeighbourhoodSpec::moore(), {0, 0, 0}) ==
        std::vector<CellIndex>{1, 3, 4, 9, 10, 12, 13});
  CHECK(around(cube(4, true), NeighbourhoodSpec::moore(), {0, 0, 0}).size() == 26);
}

TEST_CASE("a torus narrower than the neighbourhood visits each cell once, at its first offset") {
  const GridShape g = GridShape::plane(2, 2, true);
  CHECK(around(g, NeighbourhoodSpec::moore(), {0, 0}) == std::vector<CellIndex>{3, 2, 1});
  CHECK(around(g, {GridMetric::chebyshev, 1, true}, {0, 0}) == std::vector<CellIndex>{3, 2, 1, 0});
}

TEST_CASE("every neighbourhood equals brute force over all cells, 2-D and 3-D, any edges") {
  const GridMetric metrics[3] = {GridMetric::chebyshev, GridMetric::manhattan,
                                 GridMetric::euclidean};
  const std::uint32_t shapes[4][3] = {{7, 6, 0}, {3, 8, 0}, {5, 4, 6}, {2, 5, 3}};
  std::vector<CellIndex> got;
  for (const auto& s : shapes)
    for (int edges = 0; edges < 8; ++edges)
      for (const GridMetric m : metrics)
        for (std::uint32_t r = 1; r <= 3; ++r)
          for (const bool centre : {false, true}) {
            const std::size_t dims = s[2] == 0 ? 2 : 3;
            const bool p[3] = {(edges & 1) != 0, (edges & 2) != 0, (edges & 4) != 0};
            const GridShape g(std::span<const std::uint32_t>(s, dims),
                              std::span<const bool>(p, dims));
            const NeighbourhoodSpec spec{m, r, centre};
            const Neighbourhood n(g, spec);
            for (CellIndex c = 0; c < g.cells(); ++c) {
              n.cells(c, got);
              std::vector<CellIndex> want;
              for (CellIndex o = 0; o < g.cells(); ++o) {
                const Coord d = g.separation(g.coord(c), g.coord(o));
                if (o == c ? centre : within(spec, d)) want.push_back(o);
              }
              std::vector<CellIndex> sorted = got;
              std::sort(sorted.begin(), sorted.end());
              REQUIRE(sorted == want);
            }
          }
}

TEST_CASE("a clamped step slides along a bounded edge and wraps on a torus axis") {
  const std::uint32_t e[2] = {5, 4};
  const bool p[2] = {false, true};
  const GridShape g(e, p);
  CHECK(g.resolve_clamped(-1, 0) == g.index({0, 0}));
  CHECK(g.resolve_clamped(5, 2) == g.index({4, 2}));
  CHECK(g.resolve_clamped(2, -1) == g.index({2, 3}));
  CHECK(g.resolve_clamped(-1, 4) == g.index({0, 0}));
}
