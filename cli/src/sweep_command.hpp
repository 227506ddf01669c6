#pragma once
// `cohort sweep`: runs a config over a grid or list of designs with replicate seeds, each run
// its own process, several at once; collects sweep.csv, sweep_steps.csv and sweep_summary.csv.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohort/engine/model.hpp"

namespace cohort::cli {

/// Options of `cohort sweep`.
struct SweepOptions {
  std::string config;
  std::vector<std::string> grid;  ///< "key=v1,v2,..." axes, crossed
  std::string list;               ///< CSV of designs ("" = none)
  unsigned replicates = 1;
  unsigned jobs = 1;
  std::string out = "out/sweep";
  std::optional<std::uint64_t> steps;
  std::size_t threads = 1;           ///< per run: sweeps parallelise across runs
  std::vector<std::string> set;      ///< overrides for every run
  std::vector<std::string> plugins;  ///< --plugin libraries, passed on to every run
  bool resume = false;               ///< keep finished runs in `out`
};

/// Runs the sweep. Every design is validated before any run starts (exit 2). A failed run is
/// recorded (exit code and message in sweep.csv) and the others go on; the exit code is 0 when
/// every run finished, else the first failed run's.
int sweep_command(const engine::ModelRegistry& registry, const SweepOptions& options);

}  // namespace cohort::cli
