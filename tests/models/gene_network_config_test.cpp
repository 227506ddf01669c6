// gene_network config errors: each bad value is refused before anything runs, with a message
// naming the file position, the key and what was expected.
#include <doctest/doctest.h>

#include <string>

#include "cohort/engine/config_error.hpp"
#include "gene_network/settings.hpp"
#include "gene_network_support.hpp"

using namespace gene_network_test;
using cohort::engine::ConfigError;

namespace {

// The message of the ConfigError that loading (and building) `params` throws, or "" if none.
std::string error_of(const std::string& params, std::size_t individuals = 20,
                     const std::string& model = "gene_network") {
  TempDir dir;
  std::string yaml = config(individuals, 2, params, dir / "out");
  yaml.replace(yaml.find("gene_network"), 12, model);
  try {
    cohort::engine::Simulation sim(builtin_registry(), settings(dir, yaml));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("schema errors: bad density, negative magnitude, bad rates and choices") {
  CHECK(error_of("  network: {random: {density: 1.5}}\n").find("run.yaml:10:") !=
        std::string::npos);
  CHECK(error_of("  network: {random: {density: 1.5}}\n")
            .find("parameters.network.random.density: expected a real number in [0, 1], got "
                  "1.5") != std::string::npos);
  CHECK(error_of("  mutation: {point: {rate: 0.1, magnitude: -0.05}}\n")
            .find("parameters.mutation.point.magnitude: expected a real number >= 0, got "
                  "-0.05") != std::string::npos);
  CHECK(error_of("  mutation: {point: {rate: 1.2}}\n")
            .find("parameters.mutation.point.rate: expected a real number in [0, 1]") !=
        std::string::npos);
  CHECK(error_of("  precision: half\n")
            .find("parameters.precision: expected one of double, float, got 'half'") !=
        std::string::npos);
  CHECK(error_of("  selection: roulette\n")
            .find("expected one of none, wright_fisher, tournament, truncation") !=
        std::string::npos);
  CHECK(error_of("  expression: {linear: {intercept: -1}}\n")
            .find("parameters.expression.linear.intercept: expected a real number >= 0") !=
        std::string::npos);
  CHECK(error_of("  genes: 0\n").find("parameters.genes: expected an integer in [1, 65536]") !=
        std::string::npos);
}

TEST_CASE("an unknown model name is refused with the nearest registered one") {
  const std::string e = error_of("  genes: 4\n", 20, "gene_netwrok");
  CHECK(e.find("model: expected a registered model") != std::string::npos);
  CHECK(e.find("got 'gene_netwrok'; did you mean 'gene_network'?") != std::string::npos);
}

TEST_CASE("network errors: self-loops, unknown genes, inverted weight range, edge files") {
  CHECK(
      error_of("  genes: 4\n  network: {explicit: {edges: [{source: 2, target: 2, weight: 1}]}}\n")
          .find("parameters.network.explicit.edges[0]: expected an edge between two different "
                "genes (self-loops are rejected), got 2 -> 2") != std::string::npos);
  CHECK(error_of("  genes: 4\n  network: {explicit: {edges: [{source: 0, target: 1, weight: 1},"
                 " {source: 1, target: 4, weight: 1}]}}\n")
            .find("parameters.network.explicit.edges[1]: expected gene indices below genes (4), "
                  "got 1 -> 4") != std::string::npos);
  CHECK(error_of("  network: {random: {weight_min: 1, weight_max: -1}}\n")
            .find("parameters.network.random.weight_max: expected a real number >= weight_min "
                  "(1), got -1") != std::string::npos);
  const std::string missing = error_of("  network: {file: {path: no_such_edges.txt}}\n");
  CHECK(missing.find("parameters.network.file.path: expected a readable edge file") !=
        std::string::npos);
  CHECK(missing.find("No such file or directory") != std::string::npos);
}

TEST_CASE("an edge file is read relative to the config, and its bad lines are reported") {
  TempDir dir;
  std::ofstream(dir / "edges.txt") << "# source target weight\n0, 1, 0.5\n1 2 -0.25\n\n"
                                      "2 0 x\n3 3 1\n";
  const std::string yaml =
      config(10, 2, "  genes: 4\n  network: {file: {path: edges.txt}}\n", dir / "out");
  try {
    cohort::engine::Simulation sim(builtin_registry(), settings(dir, yaml));
    FAIL("the edge file was accepted");
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    CHECK(m.find("edges.txt:5: weight must be a finite number, got 'x'") != std::string::npos);
    CHECK(m.find("self-loops are rejected), got 3 -> 3 (edge 3 of") != std::string::npos);
  }
  std::ofstream(dir / "edges.txt", std::ios::trunc) << "0 1 0.5\n1,2,-0.25\n";
  cohort::engine::Simulation ok(builtin_registry(), settings(dir, yaml));
  CHECK(ok.world().population_count() == 1);
}

TEST_CASE("expression, fitness and selection errors that span keys") {
  CHECK(error_of("  expression: {hill: {k: 0}}\n")
            .find("parameters.expression.hill.k: expected a real number > 0, got 0") !=
        std::string::npos);
  CHECK(error_of("  expression: {hill: {n: -2}}\n  conditions: {tf_concentration: -1}\n")
            .find("parameters.conditions.tf_concentration: expected a tf_concentration >= 0 "
                  "with hill expression, got -1") != std::string::npos);
  CHECK(error_of("  genes: 2\n  fitness: {epistatic: {matrix: [[1, 0], [0]]}}\n")
            .find("parameters.fitness.epistatic.matrix[1]: expected a row of 2 values, got 1 "
                  "values") != std::string::npos);
  CHECK(error_of("  genes: 3\n  fitness: {multi_objective: {weights: [1, 2]}}\n")
            .find("parameters.fitness.multi_objective.weights: expected one weight per gene (3), "
                  "got 2 weights") != std::string::npos);
  CHECK(error_of("  elitism: 2\n")
            .find("parameters.elitism: expected 0 without a selection scheme") !=
        std::string::npos);
  CHECK(error_of("  selection: wright_fisher\n  elitism: 20\n", 20)
            .find("parameters.elitism: expected fewer elites than individuals (20), got 20") !=
        std::string::npos);
  CHECK(error_of("  selection: {truncation: {fraction: 0}}\n")
            .find("parameters.selection.truncation.fraction: expected a real number in (0, 1]") !=
        std::string::npos);
  CHECK(error_of("  initial_levels: {uniform: {low: 0.7, high: 0.3}}\n")
            .find("parameters.initial_levels.uniform.high: expected a real number >= low (0.7)") !=
        std::string::npos);
  CHECK(error_of("  conditions: {schedule: [{generation: 5}, {generation: 5}]}\n")
            .find("parameters.conditions.schedule[1].generation: expected a generation after the "
                  "previous change's (5), got 5") != std::string::npos);
}

TEST_CASE("every cross-key problem is reported at once") {
  const std::string e = error_of("  elitism: 3\n  expression: {hill: {k: -1, n: 0}}\n");
  CHECK(e.find("hill.k") != std::string::npos);
  CHECK(e.find("hill.n") != std::string::npos);
  CHECK(e.find("elitism") != std::string::npos);
}

TEST_CASE("cross-key errors surface when settings load, so `cohort validate` reports them") {
  TempDir dir;
  const std::string yaml =
      config(20, 2, "  selection: wright_fisher\n  elitism: 20\n", dir / "out");
  std::string message;
  try {
    (void)settings(dir, yaml);  // loading only: no world, no model built
  } catch (const ConfigError& e) {
    message = e.what();
  }
  CHECK(message.find("parameters.elitism: expected fewer elites than individuals (20), got 20") !=
        std::string::npos);
}

TEST_CASE("validation checks a random network's keys without drawing it; a run draws it") {
  TempDir dir;
  const std::string yaml =
      config(20, 2, "  genes: 40\n  network: {random: {density: 0.5, seed: 7}}\n", dir / "out");
  const cohort::engine::RunSettings s = settings(dir, yaml);
  using cohort::models::gene_network::RandomNetwork;
  using cohort::models::gene_network::read_settings;
  const auto checked =
      read_settings(s.parameters(), dir.path(), s.seed, 20, RandomNetwork::check_only);
  CHECK(checked.has_network);
  CHECK(checked.network.edge_count() == 0);
  const auto built = read_settings(s.parameters(), dir.path(), s.seed, 20);
  CHECK(
      built.network.edge_count() ==
      cohort::models::gene_network::RegulatoryNetwork::random(40, 0.5, -0.5, 0.5, 7).edge_count());
  CHECK(built.network.edge_count() > 0);
}

TEST_CASE("the config hash covers the contents of the edge file, not only its path") {
  TempDir dir;
  const std::string yaml =
      config(10, 2, "  genes: 3\n  network: {file: {path: edges.txt}}\n", dir / "out");
  std::ofstream(dir / "edges.txt") << "0 1 0.5\n";
  const cohort::engine::RunSettings first = settings(dir, yaml);
  CHECK(first.input_files == std::vector<fs::path>{dir / "edges.txt"});
  CHECK(settings(dir, yaml).config_hash == first.config_hash);
  std::ofstream(dir / "edges.txt", std::ios::trunc) << "0 1 0.25\n";
  CHECK(settings(dir, yaml).config_hash != first.config_hash);
}
