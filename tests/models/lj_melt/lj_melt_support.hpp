#pragma once
// Helpers of the lj_melt tests: a config for an n x n x n lattice, a run through
// engine::Simulation, and metrics.csv read back.

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

namespace lj_melt_test {

namespace fs = std::filesystem;

/// A config of `cells`^3 fcc cells at `temperature`, `steps` steps, thermo every `every`.
inline std::string config(int cells, int steps, double temperature, int every, const fs::path& out,
                          int threads = 1, const std::string& space = "{}",
                          const std::string& atoms_extra = "") {
  const int atoms = 4 * cells * cells * cells;
  return "model: lj_melt\nseed: 1\nsteps: " + std::to_string(steps) +
         "\nthreads: " + std::to_string(threads) + "\noutput: {dir: " + out.string() +
         ", every: " + std::to_string(every) +
         "}\npopulations:\n  atoms: {size: " + std::to_string(atoms) + atoms_extra +
         "}\nparameters: {nx: " + std::to_string(cells) + ", ny: " + std::to_string(cells) +
         ", nz: " + std::to_string(cells) + ", temperature: " + std::to_string(temperature) +
         ", log_thermo: false}\nspace: " + space + "\n";
}

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes the config, runs it to its end and writes its outputs; returns metrics.csv's text.
inline std::string run(const cohort::testing::TempDir& dir, const std::string& yaml,
                       const std::string& name = "run.yaml") {
  std::ofstream(dir / name) << yaml;
  cohort::engine::Simulation sim(
      cohort::testing::builtin_registry(),
      cohort::engine::load_run_settings(cohort::testing::builtin_registry(), dir / name, {}));
  const std::atomic<bool> stop{false};
  sim.run(stop, {});
  sim.write_outputs();
  return read_text(sim.settings().out_dir / "metrics.csv");
}

/// metrics.csv rows as "step temp e_pair e_mol tot_eng press" with LAMMPS' %.8g.
inline std::vector<std::string> thermo_rows(const std::string& csv) {
  std::vector<std::string> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string cell, row;
    for (int k = 0; std::getline(fields, cell, ','); ++k) {
      if (k == 0) {
        row = cell;
        continue;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.8g", std::stod(cell));
      row += buf;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace lj_melt_test
