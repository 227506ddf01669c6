// gene_network runs through the engine: determinism across thread counts, checkpoint and resume,
// parity with a hand-written reference loop, elites, schedules, and the memory per individual.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "cohort/engine/random_stream.hpp"
#include "cohort/memory/report.hpp"
#include "gene_network/streams.hpp"
#include "gene_network_support.hpp"

using namespace gene_network_test;
using cohort::engine::RandomStream;

namespace {

const std::string kDynamics =
    "  genes: 20\n"
    "  network: {random: {density: 0.2, weight_min: -0.5, weight_max: 0.5}}\n"
    "  expression: {linear: {slope: 1, intercept: 0.5}}\n"
    "  regulation: {additive: {weight: 1}}\n";
const std::string kEvolving = kDynamics +
                              "  selection: {tournament: {size: 3}}\n  elitism: 7\n"
                              "  reproduction: {sexual: {crossover_rate: 0.3}}\n";
const std::string kOutputs = "  outputs: {gene_means: true, population_csv: true}\n";

// The CSV as rows of numbers (header dropped).
std::vector<std::vector<double>> read_csv(const fs::path& file) {
  std::istringstream in(read_text(file));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::size_t start = 0;
    while (start <= line.size()) {
      const std::size_t end = std::min(line.find(',', start), line.size());
      double v = 0;
      std::from_chars(line.data() + start, line.data() + end, v);
      row.push_back(v);
      start = end + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// numpy's np.mean of one row (pairwise sum / n), independent of the model's kernel.
double numpy_mean(const double* a, std::size_t n) {
  const auto sum = [](auto&& self, const double* p, std::size_t k) -> double {
    if (k < 8) {
      double r = 0;
      for (std::size_t i = 0; i < k; ++i)
        r += p[i];
      return r;
    }
    if (k <= 128) {
      double r[8];
      for (int j = 0; j < 8; ++j)
        r[j] = p[j];
      std::size_t i = 8;
      for (; i < k - k % 8; i += 8)
        for (int j = 0; j < 8; ++j)
          r[j] += p[i + j];
      double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < k; ++i)
        res += p[i];
      return res;
    }
    std::size_t k2 = k / 2;
    k2 -= k2 % 8;
    return self(self, p, k2) + self(self, p + k2, k - k2);
  };
  return sum(sum, a, n) / static_cast<double>(n);
}

}  // namespace

TEST_CASE("outputs are byte-identical on 1 and 2 threads, with and without selection") {
  for (const std::string& params : {kDynamics + kOutputs, kEvolving + kOutputs,
                                    kDynamics + "  precision: float\n" + kOutputs}) {
    TempDir dir;
    run(settings(dir, config(700, 12, params, dir / "one")));
    run(settings(dir, config(700, 12, params, dir / "two"), {"threads=2"}));
    for (const char* file : {"metrics.csv", "summary.json", "population.csv"}) {
      CAPTURE(file);
      CHECK(read_text(dir / "one" / file) == read_text(dir / "two" / file));
    }
  }
}

TEST_CASE("a checkpoint and resume gives the same outputs as a run straight through") {
  for (const std::string& params : {kDynamics + kOutputs, kEvolving + kOutputs}) {
    TempDir dir;
    run(settings(dir, config(300, 20, params, dir / "straight")));
    const std::string yaml = config(300, 20, params, dir / "resumed");
    {
      cohort::engine::Simulation first(builtin_registry(), settings(dir, yaml, {"steps=8"}));
      first.run(std::atomic<bool>{false}, {});
      first.write_checkpoint(dir / "at8.cohort");
    }
    cohort::engine::Simulation second(builtin_registry(), settings(dir, yaml, {"threads=2"}));
    second.resume(dir / "at8.cohort");
    second.run(std::atomic<bool>{false}, {});
    second.write_outputs();
    for (const char* file : {"metrics.csv", "summary.json", "population.csv"}) {
      CAPTURE(file);
      CHECK(read_text(dir / "straight" / file) == read_text(dir / "resumed" / file));
    }
  }
}

TEST_CASE("without mutation the dynamics match a hand-written reference loop bit for bit") {
  // 6 genes, explicit network, linear(slope 1, intercept 0.5) at tf_concentration 0.25 and
  // additive(0.75) regulation, proportional fitness, no mutation, no selection.
  TempDir dir;
  const std::string params =
      "  genes: 6\n  initial_levels: {uniform: {low: 0.1, high: 0.9}}\n"
      "  conditions: {tf_concentration: 0.25}\n"
      "  expression: {linear: {slope: 1, intercept: 0.5}}\n"
      "  regulation: {additive: {weight: 0.75}}\n"
      "  network: {explicit: {edges: [{source: 1, target: 0, weight: 0.4},"
      " {source: 3, target: 0, weight: -0.7}, {source: 0, target: 2, weight: 0.3},"
      " {source: 5, target: 4, weight: -0.2}, {source: 2, target: 5, weight: 0.9},"
      " {source: 4, target: 5, weight: 0.15}]}}\n"
      "  mutation: none\n" +
      kOutputs;
  const int individuals = 50, generations = 9;
  run(settings(dir, config(individuals, generations, params, dir / "out")));
  const auto rows = read_csv(dir / "out" / "population.csv");
  REQUIRE(rows.size() == individuals);

  double w[6][6] = {};  // W[target][source]
  w[0][1] = 0.4, w[0][3] = -0.7, w[2][0] = 0.3, w[4][5] = -0.2, w[5][2] = 0.9, w[5][4] = 0.15;
  const double b = std::max(0.0, 1.0 * 0.25 + 0.5);
  for (int i = 0; i < individuals; ++i) {
    // The documented initial stream: uniform(low, high) per gene from the individual's stream.
    RandomStream init(11, cohort::engine::Uid(i),  // the i-th agent created has uid i
                      cohort::models::gene_network::streams::kBeforeFirstStep,
                      cohort::models::gene_network::streams::kInitial);
    double x[6], fitness = 1.0;
    for (double& v : x)
      v = std::max(0.0, 0.1 + (0.9 - 0.1) * init.uniform());
    for (int gen = 0; gen < generations; ++gen) {
      double e[6];
      for (int t = 0; t < 6; ++t) {
        double tf = 0.0;  // scipy: 0 + w x over sources ascending
        for (int s = 0; s < 6; ++s)
          if (w[t][s] != 0.0) tf += w[t][s] * x[s];
        e[t] = std::max(0.0, b + 0.75 * tf);
      }
      fitness = numpy_mean(e, 6);
      std::copy(e, e + 6, x);
    }
    CAPTURE(i);
    CHECK(rows[i][0] == i);
    CHECK(rows[i][1] == fitness);
    for (int g = 0; g < 6; ++g)
      CHECK(rows[i][2 + g] == x[g]);
  }
}

TEST_CASE("elites keep their expressed levels and are not mutated, the others are replaced") {
  TempDir dir;
  const std::string params = kDynamics +
                             "  selection: {truncation: {fraction: 0.5}}\n  elitism: 5\n"
                             "  mutation: {point: {rate: 1.0, magnitude: 0.5}}\n" +
                             kOutputs;
  run(settings(dir, config(64, 3, params, dir / "out")));
  const auto rows = read_csv(dir / "out" / "population.csv");
  // The fitness column is each slot's evaluation this generation. An elite still holds the levels
  // it was evaluated on, so their numpy mean is its fitness exactly; a replaced, fully mutated
  // slot's levels are not.
  std::vector<std::pair<double, int>> by_fitness;
  for (int i = 0; i < 64; ++i)
    by_fitness.emplace_back(rows[i][1], i);
  std::sort(by_fitness.begin(), by_fitness.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (int k = 0; k < 64; ++k) {
    const auto& row = rows[by_fitness[k].second];
    const bool unchanged = numpy_mean(row.data() + 2, 20) == row[1];
    CAPTURE(k);
    CHECK(unchanged == (k < 5));
  }
}

TEST_CASE("a schedule changes the conditions from its generation on") {
  TempDir dir;
  const std::string params =
      "  genes: 4\n  expression: {linear: {slope: 1, intercept: 0}}\n  mutation: none\n"
      "  conditions: {tf_concentration: 0.5, schedule: [{generation: 3, tf_concentration: 2}]}\n";
  run(settings(dir, config(10, 6, params, dir / "out")));
  std::istringstream csv(read_text(dir / "out" / "metrics.csv"));
  std::string line;
  std::getline(csv, line);
  REQUIRE(line.find("expression_mean") == 17);  // step,individuals,expression_mean,...
  std::vector<std::pair<double, double>> mean_and_tf;
  while (std::getline(csv, line)) {
    double v[9];
    std::istringstream fields(line);
    for (double& x : v) {
      std::string cell;
      std::getline(fields, cell, ',');
      x = std::stod(cell);
    }
    mean_and_tf.emplace_back(v[2], v[8]);
  }
  REQUIRE(mean_and_tf.size() == 7);
  for (int step = 1; step <= 6; ++step) {  // step s reports generation s - 1
    CAPTURE(step);
    CHECK(mean_and_tf[step].first == (step <= 3 ? 0.5 : 2.0));
    CHECK(mean_and_tf[step].second == (step <= 3 ? 0.5 : 2.0));
  }
}

TEST_CASE("a network without a regulation rule changes nothing, as in the reference") {
  TempDir dir;
  const std::string with = "  genes: 12\n  network: {random: {density: 0.3}}\n";
  run(settings(dir, config(40, 5, with, dir / "with")));
  run(settings(dir, config(40, 5, "  genes: 12\n", dir / "without")));
  CHECK(read_text(dir / "with" / "metrics.csv") == read_text(dir / "without" / "metrics.csv"));
}

TEST_CASE("each individual is charged G x value size to tag genome, within 1.1x + 16 B") {
  for (const char* precision : {"double", "float"}) {
    TempDir dir;
    cohort::engine::Simulation sim(
        builtin_registry(),
        settings(dir, config(5000, 1, std::string("  genes: 100\n  precision: ") + precision + "\n",
                             dir / "out")));
    const auto report = cohort::memory::MemoryReport::build(sim.world().accountant());
    const double value = std::string(precision) == "double" ? 8 : 4;
    REQUIRE(report.populations.size() == 1);
    const auto& p = report.populations[0];
    CAPTURE(precision);
    CHECK(p.min == 100 * value);
    CHECK(p.max == 100 * value);
    CHECK(p.bytes_per_agent() <= 1.1 * 100 * value + 16);
  }
}

TEST_CASE("gene_network is registered with its population and parameters") {
  const auto* info = builtin_registry().find("gene_network");
  REQUIRE(info != nullptr);
  REQUIRE(info->populations.size() == 1);
  CHECK(info->populations[0].name == "individuals");
  for (const char* key :
       {"genes", "precision", "initial_levels", "conditions", "expression", "regulation", "network",
        "fitness", "selection", "elitism", "reproduction", "mutation", "outputs"})
    CHECK(info->parameters.find_field(key) != nullptr);
}
