// CellList::move: rows re-binned one at a time end in exactly the bins a rebuild makes.
#include <doctest/doctest.h>

#include <random>

#include "cohort/space/continuous/cell_list.hpp"
#include "point_sets.hpp"

using namespace cohort::space;
using cohort::space::testing::random_points;

namespace {

// Moves random rows by up to `step` (wrapped), one at a time, and compares every bin with a
// fresh rebuild after each move.
template <int D>
void check_moves(const Box<D>& box, double cell, Binning binning, double step, std::uint64_t seed) {
  CellList<D> moved(box, cell, binning), rebuilt(box, cell, binning);
  auto pts = random_points(box, 300, moved.bin_width(0), seed);
  moved.rebuild(pts);
  std::mt19937_64 gen(seed + 1);
  std::uniform_real_distribution<double> shift(-step, step);
  std::size_t changed = 0;
  for (int k = 0; k < 600; ++k) {
    const auto row = static_cast<std::uint32_t>(gen() % pts.size());
    for (int a = 0; a < D; ++a)
      pts[row][a] = box.wrap(a, pts[row][a] + shift(gen));
    changed += moved.cell_of(pts[row]) != moved.row_cells()[row];
    moved.move(row, pts[row]);
    rebuilt.rebuild(pts);
    REQUIRE(std::equal(moved.row_cells().begin(), moved.row_cells().end(),
                       rebuilt.row_cells().begin(), rebuilt.row_cells().end()));
    for (std::uint32_t c = 0; c < moved.cell_count(); ++c) {
      const auto m = moved.rows_in(c), r = rebuilt.rows_in(c);
      REQUIRE(std::equal(m.begin(), m.end(), r.begin(), r.end()));
    }
  }
  CHECK(changed > 100);  // most moves crossed into another bin, wrapped ones included
}

}  // namespace

TEST_CASE("rows moved one at a time sit in the bins a rebuild makes (2-D, periodic)") {
  check_moves(Box<2>({10.0, 7.5}, {true, true}), 1.0, Binning::floor, 1.5, 21);
}

TEST_CASE("rows moved one at a time sit in Agents.jl's bins as a rebuild makes them") {
  check_moves(Box<2>({12.0, 12.0}, {true, true}), 1.5, Binning::agents_jl, 2.0, 22);
}

TEST_CASE("rows moved one at a time sit in the bins a rebuild makes (3-D, bounded)") {
  check_moves(Box<3>({6.0, 5.0, 7.0}, {false, false, false}), 1.0, Binning::floor, 1.0, 23);
}
