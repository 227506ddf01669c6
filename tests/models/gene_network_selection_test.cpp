// gene_network step 4: parent choice (Wright-Fisher, tournament, truncation) and elite ranking on
// crafted fitness vectors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "gene_network/selection.hpp"

using namespace cohort::models::gene_network;
using cohort::engine::AgentId;
using cohort::engine::RandomStream;

namespace {

// Offspring counts of each row over `draws` draws, one stream per draw (as per offspring slot).
std::vector<int> counts(const Selection& s, const std::vector<double>& fitness, int draws) {
  ParentSampler sampler(s);
  sampler.prepare(fitness);
  std::vector<int> c(fitness.size(), 0);
  for (int i = 0; i < draws; ++i) {
    RandomStream rng(5, cohort::engine::Uid(i), 1, 2);
    ++c[sampler.draw(rng)];
  }
  return c;
}

Selection rule(SelectionRule r) {
  Selection s;
  s.rule = r;
  return s;
}

}  // namespace

TEST_CASE("Wright-Fisher offspring counts are proportional to fitness (chi-square)") {
  const std::vector<double> fitness = {1.0, 2.0, 3.0, 4.0, 0.0, 10.0, 0.5, 4.5};
  const int draws = 200'000;
  const std::vector<int> c = counts(rule(SelectionRule::wright_fisher), fitness, draws);
  const double total = 25.0;
  double chi2 = 0;
  int df = -1;
  for (std::size_t i = 0; i < fitness.size(); ++i) {
    const double expected = draws * fitness[i] / total;
    if (expected == 0) {
      CHECK(c[i] == 0);  // zero fitness is never a parent
      continue;
    }
    chi2 += (c[i] - expected) * (c[i] - expected) / expected;
    ++df;
  }
  CHECK(df == 6);
  CHECK(chi2 < 22.46);  // the 99.9% point of chi-square with 6 degrees of freedom
}

TEST_CASE("Wright-Fisher with all-zero (or negative) fitness draws uniformly") {
  const std::vector<double> fitness = {0.0, -1.0, 0.0, std::nan("")};
  const int draws = 40'000;
  const std::vector<int> c = counts(rule(SelectionRule::wright_fisher), fitness, draws);
  double chi2 = 0;
  for (const int k : c)
    chi2 += (k - draws / 4.0) * (k - draws / 4.0) / (draws / 4.0);
  CHECK(chi2 < 16.27);  // 99.9% point, 3 degrees of freedom
  // Negative fitness weighs 0 next to a positive one.
  const std::vector<int> d = counts(rule(SelectionRule::wright_fisher), {-5.0, 1.0}, 1000);
  CHECK(d[0] == 0);
  CHECK(d[1] == 1000);
}

TEST_CASE("tournament: the fittest of k draws wins, ties to the lower row") {
  Selection s = rule(SelectionRule::tournament);
  s.tournament_size = 1;  // size 1 is a uniform draw
  const std::vector<double> fitness = {0.1, 0.9, 0.5, 0.3};
  std::vector<int> c = counts(s, fitness, 40'000);
  for (const int k : c)
    CHECK(std::abs(k - 10'000) < 4 * std::sqrt(10'000 * 0.75));
  // Size 2 on 4 rows: P(row wins) = P(both draws <= its rank) - P(both strictly below) =
  // (r/4)^2 - ((r-1)/4)^2 for rank r = 1 (worst) .. 4 (best).
  s.tournament_size = 2;
  c = counts(s, fitness, 160'000);
  const double expect[4] = {1.0 / 16, 7.0 / 16, 5.0 / 16, 3.0 / 16};  // ranks 1, 4, 3, 2
  for (int i = 0; i < 4; ++i)
    CHECK(std::abs(c[i] - 160'000 * expect[i]) < 4.5 * std::sqrt(160'000 * expect[i]));
  // A huge tournament always finds the best; on ties, the lower row.
  s.tournament_size = 200;
  CHECK(counts(s, fitness, 100)[1] == 100);
  CHECK(counts(s, {2.0, 1.0, 2.0}, 100)[0] == 100);
}

TEST_CASE("truncation breeds uniformly from the fittest ceil(fraction * N)") {
  Selection s = rule(SelectionRule::truncation);
  s.truncation_fraction = 0.25;  // ceil(0.25 * 10) = 3 breeders: rows 7, 2, 9
  const std::vector<double> fitness = {0.1, 0.2, 0.9, 0.3, 0.4, 0.0, 0.5, 1.0, 0.6, 0.8};
  const std::vector<int> c = counts(s, fitness, 30'000);
  for (std::size_t i = 0; i < fitness.size(); ++i) {
    const bool breeder = i == 7 || i == 2 || i == 9;
    CAPTURE(i);
    if (breeder)
      CHECK(std::abs(c[i] - 10'000) < 4 * std::sqrt(10'000 * 2.0 / 3));
    else
      CHECK(c[i] == 0);
  }
  s.truncation_fraction = 1e-9;  // at least one breeder
  CHECK(counts(s, fitness, 50)[7] == 50);
}

TEST_CASE("elites are the fittest rows, ties by row, NaN last") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> fitness = {0.5, nan, 0.9, 0.5, -1.0, 0.9};
  CHECK(fittest_rows(fitness, 3) == std::vector<std::uint32_t>{2, 5, 0});
  CHECK(fittest_rows(fitness, 6) == std::vector<std::uint32_t>{2, 5, 0, 3, 4, 1});
  CHECK(fittest_rows(fitness, 0).empty());
  CHECK(fittest_rows(fitness, 99).size() == 6);
}
