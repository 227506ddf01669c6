#pragma once
// Helpers of the gene_network run tests: configs written to a temporary directory, runs through
// engine::Simulation, and output files read back.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/models/builtin.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

namespace gene_network_test {

namespace fs = std::filesystem;

using cohort::testing::TempDir;

using cohort::testing::builtin_registry;

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A small gene_network config: `parameters` is YAML indented by 2 (the parameters' body).
inline std::string config(std::size_t individuals, std::size_t steps, const std::string& parameters,
                          const fs::path& out) {
  return "model: gene_network\nseed: 11\nsteps: " + std::to_string(steps) +
         "\nthreads: 1\noutput: {dir: " + out.string() +
         ", every: 1}\npopulations:\n  individuals:\n    size: " + std::to_string(individuals) +
         "\nparameters:\n" + parameters;
}

/// Writes `yaml` as dir/name and loads it with `overrides`.
inline cohort::engine::RunSettings settings(const TempDir& dir, const std::string& yaml,
                                            const std::vector<std::string>& overrides = {},
                                            const std::string& name = "run.yaml") {
  std::ofstream(dir / name) << yaml;
  return cohort::engine::load_run_settings(builtin_registry(), dir / name, overrides);
}

/// Runs a config to its end and writes its outputs.
inline void run(cohort::engine::RunSettings s) {
  cohort::engine::Simulation sim(builtin_registry(), std::move(s));
  const std::atomic<bool> stop{false};
  sim.run(stop, {});
  sim.write_outputs();
}

}  // namespace gene_network_test
