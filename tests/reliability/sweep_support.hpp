#pragma once
// Shared by the allocation sweeps: a short run of each built-in model, and the checks made after
// a run that an injected allocation failure may have ended.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/memory/accountant.hpp"
#include "memory/random_workload.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

namespace sweep {

namespace fs = std::filesystem;

/// A short run of one model: threads: 1 (so every allocation is made on the test's thread, where
/// the thread-local injectors count), a few steps, a handful of agents; milliseconds each.
struct ModelRun {
  std::string model;
  std::string body;  // everything after the model, seed, steps, threads and output lines
};

inline std::vector<ModelRun> short_runs() {
  return {
      // Trails in pooled memory under a budget small enough to reclaim and freeze; births and
      // deaths churn rows.
      {"random_walk",
       "populations:\n  walkers:\n    size: 40\n"
       "    budget: {hard: 48B, soft: 0.9, low_water: 0.5}\n    on_refusal: freeze\n"
       "parameters:\n  width: 16\n  height: 16\n  move_probability: 0.6\n  birth_rate: 0.1\n"
       "  death_rate: 0.05\n  trail_capacity: 32\n"},
      // Beliefs and compressed histories in pooled memory, reclaimed at the soft limit.
      {"belief_agents",
       "populations:\n  explorers:\n    size: 6\n"
       "    budget: {hard: 4KiB, soft: 0.9, low_water: 0.8}\n    on_refusal: freeze\n"
       "parameters:\n  width: 4\n  height: 4\n  levels: 4\n  densities: [1, 1, 1, 1]\n"
       "  likelihood_noise: 0.1\n  move_success: 0.9\n  start_mass: 0.9\n"
       "  preferences: [0, 0, 0, 2]\n  policy_length: 1\n  gamma: 16\n  alpha: 16\n"
       "  action_selection: stochastic\n  prune_epsilon: 1.0e-12\n"
       "  history: {capacity: 16, block_entries: 4, codec: lz4}\n"
       "  reclaim: [evict_history, prune_beliefs]\n"},
      {"gene_network",
       "populations:\n  individuals: {size: 8}\nparameters:\n  genes: 6\n"
       "  network: {random: {density: 0.3, weight_min: -0.5, weight_max: 0.5, seed: 3}}\n"
       "  mutation: {point: {rate: 0.1, magnitude: 0.05}}\n"},
      {"lj_melt",
       "populations:\n  atoms: {size: 500}\nparameters: {nx: 5, ny: 5, nz: 5, log_thermo: "
       "false}\n"},
      {"flocking",
       "populations:\n  birds: {size: 30}\nspace: {kind: continuous, box: [20, 20], cutoff: 4}\n"},
      {"schelling",
       "populations:\n  agents: {size: 40}\nspace:\n  kind: grid\n  dimensions: [10, 10]\n"
       "  periodic: [false, false]\n  occupancy: single\n"
       "  neighbourhood: {metric: moore, radius: 1}\nparameters: {min_to_be_happy: 3}\n"},
      {"wolf_sheep",
       "populations:\n  sheep: {size: 12}\n  wolves: {size: 6}\nspace:\n  kind: grid\n"
       "  dimensions: [8, 8]\n  periodic: [false, false]\n  occupancy: multiple\n"
       "parameters: {regrowth_time: 5}\n"},
      {"forest_fire",
       "space:\n  kind: grid\n  dimensions: [12, 12]\n  periodic: [false, false]\n"
       "  neighbourhood: {metric: von_neumann, radius: 1}\nparameters: {density: 0.7}\n"},
  };
}

/// The settings of `run`, loaded from a config written into `dir` (before any injector is armed).
inline cohort::engine::RunSettings settings_of(const ModelRun& run,
                                               const cohort::testing::TempDir& dir) {
  const fs::path file = dir / (run.model + ".yaml");
  std::ofstream(file) << "model: " << run.model << "\nseed: 5\nsteps: 4\nthreads: 1\n"
                      << "output: {dir: " << (dir / run.model).string()
                      << ", every: 1, checkpoint_every: 0}\n"
                      << run.body;
  return cohort::engine::load_run_settings(cohort::testing::builtin_registry(), file, {});
}

/// Every metrics row of `sim` as text ("step: v1 v2 ..."), to compare a run that absorbed an
/// allocation failure with the clean run: absorbing one must not change a result.
inline std::vector<std::string> metrics_of(const cohort::engine::Simulation& sim) {
  std::vector<std::string> rows;
  for (const cohort::engine::MetricRow& row : sim.metric_rows()) {
    std::string text = std::to_string(row.step) + ":";
    for (double v : row.values)
      text += " " + std::to_string(v);
    rows.push_back(std::move(text));
  }
  return rows;
}

/// The accountant's counters are exact after a run that may have ended mid-step: every agent's
/// ledger sums to its population, every population to the engine total.
inline void check_counters(cohort::engine::Simulation& sim) {
  cohort::memory::Accountant& acc = sim.world().accountant();
  acc.settle();
  cohort::memory::testing::check_rollup(acc);
}

}  // namespace sweep
