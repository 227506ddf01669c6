// gene_network micro-benchmarks behind its design choices (Google Benchmark):
//  - the regulated expression of 5,000 x 100 genes through a density-0.05 network, gene-major
//    (a sum of scaled source rows, vectorised over individuals) vs individual-major (a sparse
//    matrix-vector product per individual), same arithmetic;
//  - Philox blocks one stream at a time (engine::RandomStream) vs eight agents side by side;
//  - point mutation (rate 0.1, magnitude 0.05) of 5,000 x 100 genes.
#include <benchmark/benchmark.h>

#include <vector>

#include "cohort/engine/random/philox_lanes.hpp"
#include "cohort/engine/random_stream.hpp"
#include "gene_network/generation_kernels.hpp"
#include "gene_network/point_mutation.hpp"
#include "gene_network/regulatory_network.hpp"

using namespace cohort::models::gene_network;
using cohort::engine::Uid;
using namespace cohort::engine::random_layer;

namespace {

constexpr std::uint32_t kGenes = 100;
constexpr std::size_t kIndividuals = 5000;
constexpr std::size_t kSlab = 64;

const RegulatoryNetwork& network() {
  static const RegulatoryNetwork n = RegulatoryNetwork::random(kGenes, 0.05, -0.5, 0.5, 42);
  return n;
}

std::vector<double> levels(std::size_t count) {
  std::vector<double> x(count);
  cohort::engine::RandomStream rng(1, 0, 0, 0);
  for (double& v : x)
    v = rng.uniform(0.3, 0.7);
  return x;
}

void BM_ExpressionGeneMajor(benchmark::State& state) {
  const RegulatoryNetwork& n = network();
  const std::vector<double> x = levels(kGenes * kIndividuals);
  std::vector<double> e(kGenes * kSlab);
  const ExpressionPlan<double> plan{
      kGenes, 0.5,  RegulationRule::additive,
      1.0,    true, {n.offsets().data(), n.sources().data(), n.weights().data()}};
  for (auto _ : state) {
    for (std::size_t first = 0; first < kIndividuals; first += kSlab)
      express(plan, x.data() + first, kIndividuals, e.data(), kSlab, kSlab);
    benchmark::DoNotOptimize(e.data());
  }
  state.SetItemsProcessed(state.iterations() * kGenes * kIndividuals);
}
BENCHMARK(BM_ExpressionGeneMajor)->Unit(benchmark::kMicrosecond);

void BM_ExpressionIndividualMajor(benchmark::State& state) {
  const RegulatoryNetwork& n = network();
  const std::vector<double> x = levels(kGenes * kIndividuals);
  std::vector<double> e(kGenes * kIndividuals);
  const auto* offsets = n.offsets().data();
  const auto* sources = n.sources().data();
  const auto* weights = n.weights().data();
  for (auto _ : state) {
    for (std::size_t i = 0; i < kIndividuals; ++i) {
      const double* xi = x.data() + i * kGenes;
      double* ei = e.data() + i * kGenes;
      for (std::uint32_t t = 0; t < kGenes; ++t) {
        double tf = 0.0;
        for (std::uint32_t k = offsets[t]; k < offsets[t + 1]; ++k)
          tf += weights[k] * xi[sources[k]];
        ei[t] = clamp_level(0.5 + 1.0 * tf);
      }
    }
    benchmark::DoNotOptimize(e.data());
  }
  state.SetItemsProcessed(state.iterations() * kGenes * kIndividuals);
}
BENCHMARK(BM_ExpressionIndividualMajor)->Unit(benchmark::kMicrosecond);

void BM_PhiloxOneStreamAtATime(benchmark::State& state) {
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (std::uint32_t a = 0; a < 512; ++a) {
      cohort::engine::RandomStream rng(42, Uid(a), 7, 1);
      for (int w = 0; w < 56; ++w)
        sum += rng.next_u32();  // 14 blocks
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 512 * 14);  // blocks
}
BENCHMARK(BM_PhiloxOneStreamAtATime)->Unit(benchmark::kMicrosecond);

void BM_PhiloxEightAgentsAtOnce(benchmark::State& state) {
  std::vector<Uid> agents;
  for (std::uint32_t a = 0; a < 512; ++a)
    agents.push_back(a);
  std::vector<std::uint32_t> words(512 * 14 * 4);
  const StreamFamily f{42, 7, 1};
  for (auto _ : state) {
    philox_prefix(f, agents, 14, words.data());
    benchmark::DoNotOptimize(words.data());
  }
  state.SetItemsProcessed(state.iterations() * 512 * 14);  // blocks
}
BENCHMARK(BM_PhiloxEightAgentsAtOnce)->Unit(benchmark::kMicrosecond);

// As the model runs it: Philox prefixes for a slab of 64 individuals, then each individual's
// genes mutated in the slab's scratch rows (L1/L2-resident).
void BM_PointMutation(benchmark::State& state) {
  const PointMutation mutation(0.1, 0.05, kGenes);
  std::vector<double> x = levels(kGenes * kSlab);
  std::vector<Uid> agents;
  for (std::uint32_t a = 0; a < kIndividuals; ++a)
    agents.push_back(a);
  const unsigned a_blocks = mutation.where_blocks(), b_blocks = mutation.how_much_blocks();
  std::vector<std::uint32_t> where_words(kSlab * a_blocks * 4), how_words(kSlab * b_blocks * 4);
  std::uint32_t spill[2][4];
  std::uint64_t step = 0;
  for (auto _ : state) {
    const StreamFamily where{42, step, 1}, how{42, step, 5};
    ++step;
    for (std::size_t first = 0; first < kIndividuals; first += kSlab) {
      const std::span<const Uid> ids(agents.data() + first,
                                     kSlab < kIndividuals - first ? kSlab : kIndividuals - first);
      philox_prefix(where, ids, a_blocks, where_words.data());
      philox_prefix(how, ids, b_blocks, how_words.data());
      for (std::size_t c = 0; c < ids.size(); ++c) {
        StreamWords a(where, ids[c], where_words.data() + c * a_blocks * 4, a_blocks, spill[0]);
        StreamWords b(how, ids[c], how_words.data() + c * b_blocks * 4, b_blocks, spill[1]);
        mutation.apply(x.data() + c, kSlab, a, b);
      }
    }
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * kGenes * kIndividuals);
}
BENCHMARK(BM_PointMutation)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
