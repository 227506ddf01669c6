#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "order_statistics.hpp"

using cohort::memory::detail::first_ranked;
using cohort::memory::detail::kth_smallest;

namespace {

// Values spread over both 16-bit digits, with many repeats (most agents charge nothing).
std::vector<std::uint32_t> sample(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> v(n);
  for (auto& x : v) {
    const std::uint32_t kind = rng() % 4;
    x = kind == 0 ? 0 : kind == 1 ? rng() % 300 : kind == 2 ? rng() : 65536 + rng() % 3;
  }
  return v;
}

}  // namespace

TEST_CASE("kth_smallest equals nth_element of a copy for every rank") {
  for (const std::size_t n : {1u, 2u, 7u, 1000u}) {
    const std::vector<std::uint32_t> v = sample(n, static_cast<std::uint32_t>(n));
    std::vector<std::uint32_t> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < n; ++k) {
      CAPTURE(n);
      CAPTURE(k);
      CHECK(kth_smallest(n, k, [&](std::size_t i) { return v[i]; }) == sorted[k]);
    }
  }
  const std::vector<std::uint32_t> extremes{0xffffffffu, 0, 0xffff0000u, 0x0000ffffu};
  CHECK(kth_smallest(4, 0, [&](std::size_t i) { return extremes[i]; }) == 0);
  CHECK(kth_smallest(4, 1, [&](std::size_t i) { return extremes[i]; }) == 0x0000ffffu);
  CHECK(kth_smallest(4, 3, [&](std::size_t i) { return extremes[i]; }) == 0xffffffffu);
}

TEST_CASE("first_ranked equals a stable sort's first entries, ties by index") {
  const std::vector<std::uint32_t> v = sample(5000, 9);
  const auto before = [&](std::uint32_t a, std::uint32_t b) {
    return v[a] != v[b] ? v[a] > v[b] : a < b;
  };
  std::vector<std::uint32_t> all(v.size());
  std::iota(all.begin(), all.end(), 0u);
  std::sort(all.begin(), all.end(), before);
  for (const std::size_t top : {0u, 1u, 5u, 64u, 5000u, 6000u}) {
    CAPTURE(top);
    const std::vector<std::uint32_t> got = first_ranked(v.size(), top, before);
    const std::size_t want = std::min<std::size_t>(top, v.size());
    REQUIRE(got.size() == want);
    CHECK(std::equal(got.begin(), got.end(), all.begin()));
  }
}
