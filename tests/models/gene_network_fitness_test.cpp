// gene_network step 3: every fitness function against hand-computed values, numpy's pairwise
// mean, and the per-gene moments behind the metrics.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "gene_network/generation_kernels.hpp"
#include "gene_network/regulatory_network.hpp"

using namespace cohort::models::gene_network;

namespace {

// Fitness of individuals given as rows of levels (individual-major), through the gene-major kernel.
std::vector<double> fitness_of(const FitnessPlan<double>& plan,
                               const std::vector<std::vector<double>>& individuals) {
  const std::size_t width = kLineValues<double> * ((individuals.size() + 7) / 8);
  std::vector<double> e(plan.genes * width, 0.0);
  for (std::size_t i = 0; i < individuals.size(); ++i)
    for (std::uint32_t g = 0; g < plan.genes; ++g)
      e[g * width + i] = individuals[i][g];
  std::vector<double> scratch((plan.genes + kFitnessExtraRows) * width), out(width);
  fitness(plan, e.data(), width, width, scratch.data(), out.data());
  out.resize(individuals.size());
  return out;
}

// numpy's pairwise summation of one row, written independently of the kernel.
double numpy_sum(const std::vector<double>& a, std::size_t lo, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j)
      r[j] = a[lo + j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j)
        r[j] += a[lo + i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i)
      res += a[lo + i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_sum(a, lo, n2) + numpy_sum(a, lo + n2, n - n2);
}

}  // namespace

TEST_CASE("proportional fitness is the mean, threshold is 1 at or above t") {
  FitnessPlan<double> plan;
  plan.genes = 4;
  const std::vector<std::vector<double>> pop = {{1, 2, 3, 4}, {0, 0, 0, 0}, {0.5, 0.5, 0.5, 0.5}};
  CHECK(fitness_of(plan, pop) == std::vector<double>{2.5, 0.0, 0.5});
  plan.rule = FitnessRule::threshold;
  plan.threshold = 0.5;
  CHECK(fitness_of(plan, pop) == std::vector<double>{1.0, 0.0, 1.0});  // 0.5 >= 0.5
}

TEST_CASE("means are numpy's pairwise sums divided by G, bit for bit, for any G") {
  for (const std::uint32_t genes : {1u, 7u, 8u, 13u, 100u, 128u, 129u, 300u, 1000u}) {
    std::vector<double> row(genes);
    for (std::uint32_t g = 0; g < genes; ++g)
      row[g] = 1.0 / (3.0 + g) + g * 1e-3;
    FitnessPlan<double> plan;
    plan.genes = genes;
    CAPTURE(genes);
    CHECK(fitness_of(plan, {row})[0] == numpy_sum(row, 0, genes) / genes);
    CHECK(pairwise_sum(row.data(), genes) == numpy_sum(row, 0, genes));
  }
}

TEST_CASE("epistatic fitness: mean(e) + e^T M e / G, without the division for one gene") {
  // The reference's example: M = [[0.1, 0.3], [0.3, 0.1]], e = (1, 0.8):
  // e^T M e = 0.1 + 0.3 * 0.8 + 0.3 * 0.8 + 0.1 * 0.64 = 0.644; fitness = 0.9 + 0.644 / 2.
  const RegulatoryNetwork mt(2, {{0, 0, 0.1}, {0, 1, 0.3}, {1, 0, 0.3}, {1, 1, 0.1}});
  std::vector<double> w(mt.weights());
  FitnessPlan<double> plan;
  plan.genes = 2;
  plan.rule = FitnessRule::epistatic;
  plan.interactions = {mt.offsets().data(), mt.sources().data(), w.data()};
  CHECK(fitness_of(plan, {{1.0, 0.8}})[0] == doctest::Approx(0.9 + 0.644 / 2).epsilon(1e-15));
  // An asymmetric M: only M[0][1] = 2: e^T M e = 2 e0 e1.
  const RegulatoryNetwork asym(2, {{0, 1, 2.0}});  // row 1 of M^T = column 1 of M
  std::vector<double> wa(asym.weights());
  plan.interactions = {asym.offsets().data(), asym.sources().data(), wa.data()};
  CHECK(fitness_of(plan, {{0.5, 3.0}})[0] == 1.75 + (2.0 * 0.5 * 3.0) / 2);
  // G = 1: M = [[2]], e = 3: 3 + 2 * 9 = 21 (no division by G).
  const RegulatoryNetwork one(1, {{0, 0, 2.0}});
  std::vector<double> w1(one.weights());
  FitnessPlan<double> single;
  single.genes = 1;
  single.rule = FitnessRule::epistatic;
  single.interactions = {one.offsets().data(), one.sources().data(), w1.data()};
  CHECK(fitness_of(single, {{3.0}})[0] == 21.0);
}

TEST_CASE("multi-objective fitness: (e . w) / sum(w), 0 when the weights sum to 0") {
  // The reference's example: weights 1, 1, 1 and e = (0.5, 0.3, 0.8): 1.6 / 3.
  std::vector<double> w = {1.0, 1.0, 1.0};
  FitnessPlan<double> plan;
  plan.genes = 3;
  plan.rule = FitnessRule::multi_objective;
  plan.weights = w.data();
  plan.weight_sum = 3.0;
  CHECK(fitness_of(plan, {{0.5, 0.3, 0.8}})[0] == ((0.5 + 0.3) + 0.8) / 3.0);
  w = {2.0, 0.0, 1.0};
  plan.weight_sum = 3.0;
  CHECK(fitness_of(plan, {{1.0, 9.0, 4.0}})[0] == 2.0);  // (2 + 0 + 4) / 3
  w = {0.0, 0.0, 0.0};
  plan.weight_sum = 0.0;
  CHECK(fitness_of(plan, {{1.0, 2.0, 3.0}})[0] == 0.0);
}

TEST_CASE("per-gene moments and their combination match a two-pass computation") {
  const std::size_t n = 37;
  std::vector<double> rows(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    rows[i] = 0.25 + 0.01 * static_cast<double>(i % 11);
    rows[n + i] = std::sqrt(static_cast<double>(i));
  }
  GeneMoments all[2], left[2], right[2];
  gene_moments(rows.data(), n, 2, n, all);
  gene_moments(rows.data(), n, 2, 20, left);
  gene_moments(rows.data() + 20, n, 2, n - 20, right);
  combine_moments(left, right, 2, 20, static_cast<double>(n - 20));
  for (int g = 0; g < 2; ++g) {
    const double* r = rows.data() + g * n;
    const double mean = std::accumulate(r, r + n, 0.0) / n;
    double m2 = 0;
    for (std::size_t i = 0; i < n; ++i)
      m2 += (r[i] - mean) * (r[i] - mean);
    CHECK(all[g].mean == doctest::Approx(mean).epsilon(1e-14));
    CHECK(all[g].m2 == doctest::Approx(m2).epsilon(1e-12));
    CHECK(left[g].mean == doctest::Approx(mean).epsilon(1e-14));
    CHECK(left[g].m2 == doctest::Approx(m2).epsilon(1e-12));
  }
}
