// Counter-based random streams: reproducible, independent across keys, correctly distributed.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "cohort/engine/random/philox_lanes.hpp"
#include "cohort/engine/random_stream.hpp"

using namespace cohort::engine;

TEST_CASE("the first block of (seed 0, uid 0, step 0, stream 0) is Random123's known answer") {
  // Random123's kat_vectors: philox4x32-10 with counter 0 and key 0.
  RandomStream s(0, 0, 0, 0);
  CHECK(s.next_u32() == 0x6627e8d5u);
  CHECK(s.next_u32() == 0xe169c58du);
  CHECK(s.next_u32() == 0xbc57ac4cu);
  CHECK(s.next_u32() == 0x9b00dbd8u);
}

TEST_CASE("the counter holds uid, step and block and the key holds seed and stream") {
  // Random123's pi-digits known answer: counter (243f6a88 85a308d3 13198a2e 03707344), key
  // (a4093822 299f31d0) -> (d16cfe09 94fdcceb 5001e420 24126ea1). In cohort's layout that is
  // uid 0x85a308d3243f6a88, step 0x13198a2e, block 0x03707344, seed 0x299f31d0a4093822, stream 0.
  std::uint32_t out[4];
  philox_block({0x299f31d0a4093822ull, 0x13198a2eull, 0}, 0x85a308d3243f6a88ull, 0x03707344u, out);
  CHECK(out[0] == 0xd16cfe09u);
  CHECK(out[1] == 0x94fdccebu);
  CHECK(out[2] == 0x5001e420u);
  CHECK(out[3] == 0x24126ea1u);
  // The stream enters the key only: seed + stream * 0x9E3779B97F4A7C15.
  CHECK(stream_key(0x299f31d0a4093822ull, 0) == 0x299f31d0a4093822ull);
  CHECK(stream_key(42, 3) == 42 + 3 * 0x9E3779B97F4A7C15ull);
  // The same words through a stream: block k of a stream is its words 4k..4k+3.
  RandomStream s(0x299f31d0a4093822ull, 0x85a308d3243f6a88ull, 0x13198a2eull, 0);
  std::uint32_t first[4];
  philox_block({0x299f31d0a4093822ull, 0x13198a2eull, 0}, 0x85a308d3243f6a88ull, 0, first);
  for (std::uint32_t w : first)
    CHECK(s.next_u32() == w);
}

TEST_CASE("a stream is a pure function of its key") {
  RandomStream a(42, 7, 3, 0);
  RandomStream b(42, 7, 3, 0);
  for (int i = 0; i < 100; ++i)
    CHECK(a.next_u32() == b.next_u32());
}

TEST_CASE("changing any part of the key changes the numbers") {
  auto first = [](RandomStream s) { return s.next_u64(); };
  std::set<std::uint64_t> seen{first(RandomStream(42, 7, 3, 0)),
                               first(RandomStream(43, 7, 3, 0)),
                               first(RandomStream(42, 8, 3, 0)),
                               first(RandomStream(42, 7 + (Uid{1} << 32), 3, 0)),
                               first(RandomStream(42, 7, 4, 0)),
                               first(RandomStream(42, 7, 3, 1)),
                               first(RandomStream::for_population(42, 1, 3, 0)),
                               first(RandomStream::for_population(42, 2, 3, 0))};
  CHECK(seen.size() == 8);
}

TEST_CASE("streams of neighbouring agents are uncorrelated") {
  // Correlation of uniform draws between agent i and agent i+1 over many agents.
  const int n = 200000;
  double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; ++i) {
    const double x = RandomStream(1, Uid(i), 0, 0).uniform();
    const double y = RandomStream(1, Uid(i + 1), 0, 0).uniform();
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  const double cov = sxy / n - (sx / n) * (sy / n);
  const double r =
      cov / std::sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
  CHECK(std::fabs(r) < 4.0 / std::sqrt(n));  // within 4 standard errors of zero
}

TEST_CASE("uniform, below, bernoulli and normal have the right moments") {
  RandomStream s(5, 0, 0, 0);
  const int n = 1000000;
  double sum = 0, sumsq = 0;
  std::vector<int> counts(10, 0);
  int hits = 0;
  double nsum = 0, nsumsq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sumsq += u * u;
    ++counts[s.below(10)];
    hits += s.bernoulli(0.3) ? 1 : 0;
    const double z = s.normal();
    nsum += z;
    nsumsq += z * z;
  }
  CHECK(sum / n == doctest::Approx(0.5).epsilon(0.002));
  CHECK(sumsq / n - (sum / n) * (sum / n) == doctest::Approx(1.0 / 12).epsilon(0.01));
  for (int c : counts)
    CHECK(std::abs(c - n / 10) < 4 * std::sqrt(n * 0.1 * 0.9));
  CHECK(std::abs(hits - 0.3 * n) < 4 * std::sqrt(n * 0.3 * 0.7));
  CHECK(std::fabs(nsum / n) < 4.0 / std::sqrt(n));
  CHECK(nsumsq / n == doctest::Approx(1.0).epsilon(0.01));
}

TEST_CASE("blocks of one stream computed side by side are RandomStream's words exactly") {
  const StreamFamily f{0x0bad'cafe'1234'5678ull, 41, 6};
  const Uid uid = kPopulationUidBase | 5;
  std::vector<std::uint32_t> out(13 * 4);  // a full batch of 8 blocks and a short one
  philox_blocks(f, uid, 3, 13, out.data());
  RandomStream reference(f.seed, uid, f.step, f.stream);
  for (int i = 0; i < 3 * 4; ++i)  // blocks 0-2 are not asked for
    reference.next_u32();
  for (const std::uint32_t w : out)
    REQUIRE(w == reference.next_u32());
}

TEST_CASE("a batched stream draws what RandomStream draws, across its refills") {
  const StreamFamily f{99, 7, 2};
  BatchedStream batched(f, 12345);
  RandomStream reference(f.seed, 12345, f.step, f.stream);
  for (int i = 0; i < 300; ++i)  // several refills of 16 blocks
    REQUIRE(batched.next_u32() == reference.next_u32());
  for (std::uint32_t n = 1; n < 5000; n += 97)
    REQUIRE(batched.below(n) == reference.below(n));
}
