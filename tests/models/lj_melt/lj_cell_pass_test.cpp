// lj_melt's forces pass without a neighbour list: the forward half stencil, and the very pairs
// (so the very bits) of the list the last build would have made, found in the bins.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "lj_crystal.hpp"
#include "lj_melt/lj_cell_stencil.hpp"
#include "lj_melt/lj_list_rows.hpp"

using namespace lj_melt_test;
using cohort::models::lj::Vec3;
namespace lj = cohort::models::lj;
namespace space = cohort::space;

TEST_CASE(
    "the forward half stencil names each pair of adjacent bins once, with the build's shift") {
  const space::Box<3> box({10.5, 13, 15.5}, {true, true, true});
  const space::CellList<3> cells(box, 2.5);  // 4 x 5 x 6 bins
  REQUIRE(lj::forward_stencil_fits(cells));
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> seen;
  for (std::uint32_t c = 0; c < cells.cell_count(); ++c) {
    // Every bin around c, with the shift the list build adds for it.
    std::map<std::uint32_t, std::array<double, 3>> around;
    cells.for_each_cell_around(
        cells.coords(c), {1, 1, 1},
        [&](std::uint32_t at, const Vec3& shift, const std::array<bool, 3>&) {
          around[at] = {shift[0], shift[1], shift[2]};
        });
    std::set<std::uint32_t> distinct;
    for (const lj::StencilBin& b : lj::forward_stencil(cells, c)) {
      CHECK(b.cell != c);
      distinct.insert(b.cell);
      REQUIRE(around.count(b.cell) == 1);
      CHECK(b.shift == around[b.cell]);
      ++seen[{std::min(c, b.cell), std::max(c, b.cell)}];
    }
    CHECK(distinct.size() == 13);
  }
  // 26 neighbours a bin, each pair named by one of its two bins only.
  CHECK(seen.size() == 13 * std::size_t{cells.cell_count()});
  for (const auto& [pair, times] : seen)
    CHECK(times == 1);
  CHECK_FALSE(lj::forward_stencil_fits(
      space::CellList<3>(space::Box<3>({7.5, 12.5, 15}, {true, true, true}), 2.5)));
}

TEST_CASE(
    "without a list the forces are the list's to the bit, pairs missed by a late rebuild "
    "included") {
  // One crystal twice (7^3 fcc cells: 4 bins a side), built once with a half list and once with
  // bins only, then squeezed by a smooth wave along each axis (up to 0.3, so neighbours close in
  // by at most 0.14): pairs beyond the range at the build come within the cutoff, and the list
  // misses them, as a rebuild too late would.
  JitteredCrystal listed(0.08, 21, 7, true), bare(0.08, 21, 7, false);
  REQUIRE(lj::forward_stencil_fits(bare.sp.cells()));
  const std::vector<Vec3> built(bare.pop.column(bare.x).begin(), bare.pop.column(bare.x).end());
  const double length = bare.box.length(0);
  for (std::size_t r = 0; r < built.size(); ++r)
    for (int k = 0; k < 3; ++k) {
      const double d = 0.3 * std::sin(2 * M_PI * built[r][k] / length);
      listed.pop.column(listed.x)[r][k] += d;
      bare.pop.column(bare.x)[r][k] += d;
    }
  const std::size_t n = built.size();
  std::vector<float> coords;
  lj::bin_coordinates(bare.sp.cells(), bare.pop.column(bare.x), built, coords, {});
  auto forces = [&](JitteredCrystal& c, lj::PairKernel kernel, const lj::ListlessInputs& listless,
                    std::size_t owned, std::vector<lj::FixedVec3>& f) {
    f.assign(2 * n, lj::FixedVec3{{0, 0, 0}});
    const std::vector<std::span<lj::FixedVec3>> parts = {std::span(f).subspan(0, n),
                                                         std::span(f).subspan(n, n)};
    return lj::pair_forces(c.sp, c.pop.column(c.x), owned, lj::LennardJones{}, parts, {}, true,
                           kernel, listless);
  };
  std::vector<lj::PairKernel> kernels = {lj::PairKernel::portable};
  if (lj::avx512_cell_rows_usable(n)) kernels.push_back(lj::PairKernel::fastest);
  for (const lj::PairKernel kernel : kernels)
    for (const std::size_t owned : {n, n - 37}) {  // the last 37 points as ghosts: pairs once
      CAPTURE(kernel == lj::PairKernel::fastest);
      CAPTURE(owned);
      std::vector<lj::FixedVec3> with_list, without;
      const auto a = forces(listed, kernel, {}, owned, with_list);
      const auto b = forces(bare, kernel, {built, coords}, owned, without);
      REQUIRE(a.has_value());
      REQUIRE(b.has_value());
      CHECK(a->energy2 == b->energy2);
      CHECK(a->virial2 == b->virial2);
      // Per point, summed over the partitions (which split the rows differently).
      std::size_t differ = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k)
          differ +=
              with_list[i].v[k] + with_list[n + i].v[k] != without[i].v[k] + without[n + i].v[k];
      CHECK(differ == 0);
    }
  // Without the build positions the bins give every pair within range now: the pairs the list
  // missed count, so the forces differ (the moves above are large enough to tell).
  std::vector<lj::FixedVec3> with_list, now;
  const auto a = forces(listed, lj::PairKernel::portable, {}, n, with_list);
  const auto c = forces(bare, lj::PairKernel::portable, {}, n, now);
  CHECK(a->energy2 != c->energy2);
}
