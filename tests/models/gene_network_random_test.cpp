// gene_network randomness: batched Philox equals the engine's streams word for word; normal
// draws, point mutation and crossover trials have the right statistics over a million draws.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cohort/engine/random/exact_bernoulli.hpp"
#include "cohort/engine/random/geometric_skip.hpp"
#include "cohort/engine/random/normal_sampler.hpp"
#include "cohort/engine/random/philox_lanes.hpp"
#include "cohort/engine/random_stream.hpp"
#include "gene_network/point_mutation.hpp"

using namespace cohort::models::gene_network;
using cohort::engine::RandomStream;
using cohort::engine::Uid;
using namespace cohort::engine::random_layer;

namespace {

// A stream of one agent with no precomputed prefix.
struct Words {
  StreamFamily family;
  std::uint32_t spill[4] = {};
  StreamWords words;
  Words(std::uint64_t seed, std::uint32_t agent, std::uint16_t stream)
      : family{seed, 5, stream}, words(family, Uid{agent}, nullptr, 0, spill) {}
};

}  // namespace

TEST_CASE("batched Philox prefixes and StreamWords give RandomStream's words exactly") {
  const StreamFamily f{0x1234'5678'9abc'def0ull, 77, 9};
  std::vector<Uid> agents;
  for (std::uint64_t i = 0; i < 21; ++i)                    // two full batches of 8 and a short one
    agents.push_back(i * 7919 + (i % 3) * (Uid{1} << 32));  // high words vary too
  constexpr unsigned blocks = 5;
  std::vector<std::uint32_t> prefix(agents.size() * blocks * 4);
  philox_prefix(f, agents, blocks, prefix.data());
  for (std::size_t a = 0; a < agents.size(); ++a) {
    RandomStream reference(f.seed, agents[a], f.step, f.stream);
    std::uint32_t spill[4];
    StreamWords words(f, agents[a], prefix.data() + a * blocks * 4, blocks, spill);
    for (int i = 0; i < 64; ++i)  // 20 words from the prefix, then 44 computed one block at a time
      REQUIRE(words.next_u32() == reference.next_u32());
    CHECK(words.uniform() == reference.uniform());
  }
}

TEST_CASE("ziggurat normals: mean 0, variance 1 and normal tails over a million draws") {
  Words w(42, 1, 0);
  const ZigguratTables& z = ZigguratTables::get();
  constexpr int n = 1'000'000;
  double sum = 0, sum2 = 0;
  int beyond1 = 0, beyond2 = 0, beyond3 = 0, negative = 0;
  for (int i = 0; i < n; ++i) {
    const double x = standard_normal(z, w.words);
    sum += x;
    sum2 += x * x;
    beyond1 += std::abs(x) > 1;
    beyond2 += std::abs(x) > 2;
    beyond3 += std::abs(x) > 3.6541528853610088;  // the tail the ziggurat samples separately
    negative += x < 0;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  CHECK(std::abs(mean) < 4 / std::sqrt(n));
  CHECK(std::abs(var - 1) < 4 * std::sqrt(2.0 / n));
  const auto within = [&](int count, double p) {
    return std::abs(count - n * p) < 4 * std::sqrt(n * p * (1 - p));
  };
  CHECK(within(beyond1, 0.31731050786291410));
  CHECK(within(beyond2, 0.04550026389635842));
  CHECK(within(beyond3, 2.5807e-4));
  CHECK(within(negative, 0.5));
}

TEST_CASE("the geometric skip has P(gap = k) = p (1 - p)^k, with the tail at G") {
  const double p = 0.1;
  const std::uint32_t genes = 30;
  GeometricSkip skip(p, genes);
  Words w(7, 2, 0);
  constexpr int n = 1'000'000;
  std::vector<int> counts(genes + 1, 0);
  for (int i = 0; i < n; ++i)
    ++counts[skip(w.words)];
  for (std::uint32_t k = 0; k <= genes; ++k) {
    const double prob = k < genes ? p * std::pow(1 - p, k) : std::pow(1 - p, genes);
    CAPTURE(k);
    CHECK(std::abs(counts[k] - n * prob) < 4.5 * std::sqrt(n * prob * (1 - prob)) + 1);
  }
}

TEST_CASE("point mutation over a million genes: rate, zero-mean changes, the clamp at 0") {
  constexpr std::uint32_t genes = 100;
  constexpr int individuals = 10'000;  // 1e6 genes
  const double rate = 0.1, magnitude = 0.05;
  const PointMutation mutation(rate, magnitude, genes);
  std::uint32_t spill[2][4];
  long mutated = 0;
  double shift = 0, shift2 = 0;
  for (int i = 0; i < individuals; ++i) {
    std::vector<double> levels(genes, 1.0);
    const StreamFamily where{11, 3, 1}, how{11, 3, 5};
    StreamWords a(where, Uid(i), nullptr, 0, spill[0]);
    StreamWords b(how, Uid(i), nullptr, 0, spill[1]);
    mutation.apply(levels.data(), 1, a, b);
    for (double v : levels)
      if (v != 1.0) {
        ++mutated;
        shift += v - 1.0;
        shift2 += (v - 1.0) * (v - 1.0);
      }
  }
  const double n = 1e6;
  CHECK(std::abs(mutated - n * rate) < 4 * std::sqrt(n * rate * (1 - rate)));
  const double mean_shift = shift / mutated;
  const double sd_shift = std::sqrt(shift2 / mutated - mean_shift * mean_shift);
  CHECK(std::abs(mean_shift) < 4 * magnitude / std::sqrt(mutated));
  CHECK(sd_shift == doctest::Approx(magnitude).epsilon(0.01));

  // Levels at 0 cannot go negative: about half of the mutated ones stay at exactly 0.
  const PointMutation always(1.0, 1.0, genes);
  std::vector<double> zeros(genes, 0.0);
  Words a(5, 9, 1), b(5, 9, 5);
  always.apply(zeros.data(), 1, a.words, b.words);
  int clamped = 0;
  for (double v : zeros) {
    CHECK(v >= 0.0);
    clamped += v == 0.0;
  }
  CHECK(clamped > 25);
  CHECK(clamped < 75);
  // Rate 0 or magnitude 0 changes nothing and draws nothing.
  CHECK_FALSE(PointMutation(0.0, 1.0, genes).active());
  CHECK_FALSE(PointMutation(0.5, 0.0, genes).active());
}

TEST_CASE("crossover trials take the second parent's locus with probability crossover_rate") {
  for (const double p : {0.5, 0.1, 0.3333333333333333, 0.9, 1e-3}) {
    const ExactBernoulli trial(p);
    RandomStream rng(99, 1, 0, 3);
    ByteSource<RandomStream> bytes(rng);
    constexpr int n = 1'000'000;
    int hits = 0;
    for (int i = 0; i < n; ++i)
      hits += trial(bytes);
    CAPTURE(p);
    CHECK(std::abs(hits - n * p) < 4 * std::sqrt(n * p * (1 - p)));
  }
  RandomStream rng(1, 0, 0, 3);
  ByteSource<RandomStream> bytes(rng);
  for (int i = 0; i < 1000; ++i) {
    CHECK(ExactBernoulli(1.0)(bytes));
    CHECK_FALSE(ExactBernoulli(0.0)(bytes));
  }
}
