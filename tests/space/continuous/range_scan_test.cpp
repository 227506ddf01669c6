// The AVX-512 scan of the neighbour list build against the portable arithmetic: the same rows
// in range, in slice order, for every slice length and with points exactly at the range.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "continuous/range_scan.hpp"

namespace {

using cohort::space::Vec;

// The portable scan's arithmetic: (xj - xi) + shift per axis, squares summed in axis order.
template <int D, bool kSkip>
std::vector<std::uint32_t> reference(const std::vector<double>& soa, std::size_t stride,
                                     const std::vector<std::uint32_t>& rows, std::size_t begin,
                                     std::size_t end, std::uint32_t skip, const Vec<D>& xi,
                                     const Vec<D>& shift, double r2) {
  std::vector<std::uint32_t> out;
  for (std::size_t k = begin; k < end; ++k) {
    double d2 = 0;
    for (int a = 0; a < D; ++a) {
      const double d = (soa[a * stride + k] - xi[a]) + shift[a];
      d2 += d * d;
    }
    if (d2 <= r2 && (!kSkip || rows[k] != skip)) out.push_back(rows[k]);
  }
  return out;
}

template <int D, bool kSkip>
void check_slices(std::mt19937_64& gen) {
  const std::size_t n = 64;
  std::uniform_real_distribution<double> u(0.0, 3.0);
  std::vector<double> soa(D * n);
  std::vector<std::uint32_t> rows(n);
  for (std::size_t k = 0; k < n; ++k) {
    rows[k] = static_cast<std::uint32_t>(1000 + 7 * k);
    for (int a = 0; a < D; ++a)
      soa[a * n + k] = u(gen);
  }
  Vec<D> xi{}, shift{};
  for (int a = 0; a < D; ++a) {
    xi[a] = 1.5;
    shift[a] = a == 0 ? 0.25 : 0.0;
  }
  // Some candidates exactly at the range: on axis 0 only, at distance 1.
  for (std::size_t k = 3; k < n; k += 11) {
    soa[k] = xi[0] + 1.0 - shift[0];
    for (int a = 1; a < D; ++a)
      soa[a * n + k] = xi[a];
  }
  const std::uint32_t skip = rows[9];
  for (std::size_t begin : {0u, 1u, 5u})
    for (std::size_t end = begin; end <= n; ++end) {
      CAPTURE(begin);
      CAPTURE(end);
      std::vector<std::uint32_t> out(end - begin + 8, ~0u);
      std::size_t k = begin;
      std::uint32_t* last = cohort::space::avx512_scan_slice<D, kSkip>(
          soa.data(), n, rows.data(), k, end, skip, xi, shift, 1.0, out.data());
      CHECK(end - k < 8);
      CHECK((k - begin) % 8 == 0);
      // The portable scan finishes the tail.
      for (std::uint32_t j : reference<D, kSkip>(soa, n, rows, k, end, skip, xi, shift, 1.0))
        *last++ = j;
      const std::vector<std::uint32_t> got(out.data(), last);
      CHECK(got == reference<D, kSkip>(soa, n, rows, begin, end, skip, xi, shift, 1.0));
    }
}

}  // namespace

TEST_CASE("the AVX-512 list scan keeps the portable scan's rows in its order") {
  if (!cohort::space::avx512_range_scan_usable()) {
    MESSAGE("this CPU has no AVX-512F/VL: only the portable scan runs here");
    return;
  }
  std::mt19937_64 gen(3);
  check_slices<2, false>(gen);
  check_slices<2, true>(gen);
  check_slices<3, false>(gen);
  check_slices<3, true>(gen);
  // The exact-range candidates are kept (d2 == r2) by both.
  std::vector<double> soa = {2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                             0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  const std::vector<std::uint32_t> rows = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<std::uint32_t> out(16);
  std::size_t k = 0;
  std::uint32_t* last = cohort::space::avx512_scan_slice<3, false>(
      soa.data(), 8, rows.data(), k, 8, ~0u, Vec<3>{1.0, 0.0, 0.0}, Vec<3>{0.0, 0.0, 0.0}, 1.0,
      out.data());
  CHECK(k == 8);
  CHECK(std::vector<std::uint32_t>(out.data(), last) == rows);  // every d2 is exactly 1
}
