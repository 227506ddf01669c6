#pragma once
// `cohort bench`: runs a config at several population scales, each run in its own process, and
// fits how time and memory grow with the number of agents.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohort/engine/model.hpp"

namespace cohort::cli {

/// Options of `cohort bench`.
struct BenchOptions {
  std::string config;
  /// "key.path=v1,v2,..." per --scale; several are zipped (value i of each make configuration i)
  std::vector<std::string> scales;
  /// A metric whose step-0 value counts the agents (empty: the agents the populations hold)
  std::string agents_metric;
  unsigned repeat = 3;
  std::optional<std::uint64_t> steps;
  std::optional<std::size_t> threads;
  std::string out = "out/bench";
  std::vector<std::string> set;      ///< extra overrides for every run
  std::vector<std::string> plugins;  ///< --plugin libraries, passed on to every run
};

/// Runs the study; writes bench_runs.csv, bench_summary.csv, bench.json and bench.png to
/// options.out. Returns an exit code (2 when the input cannot be fitted).
int bench_command(const engine::ModelRegistry& registry, const BenchOptions& options);

}  // namespace cohort::cli
