#pragma once
// The belief_agents parameters: their schema, and the typed settings read from a validated config.

#include <cstdint>
#include <string>
#include <vector>

#include "block_codec.hpp"
#include "cohort/engine/config_value.hpp"
#include "cohort/engine/param_spec.hpp"

namespace cohort::models::belief {

/// Reclaimers a population can run, in the configured order.
enum class Rung : std::uint8_t { evict_history, prune_beliefs };

/// Everything a run of the model is configured with.
struct Settings {
  std::uint32_t width = 10, height = 10, levels = 4;
  std::string map;                      ///< ASCII map; empty = generated from densities
  std::vector<double> densities;        ///< per type; generated maps only
  std::vector<std::uint8_t> obstacles;  ///< types agents cannot enter
  double likelihood_noise = 0.1, move_success = 0.9, start_mass = 0.9;
  std::vector<double> preferences;  ///< C, one per level
  std::uint32_t policy_length = 1;
  double gamma = 16, alpha = 16;
  bool deterministic = false;
  double prune_epsilon = 1e-12, prune_step = 1000;
  std::uint32_t prune_levels = 3;
  std::uint32_t history_capacity = 1024, block_entries = 128;
  Codec codec = Codec::lz4;
  std::vector<Rung> reclaim;
  std::vector<std::uint64_t> trace_agents, history_agents;  ///< agent rows to write out
};

/// The schema of `parameters`.
engine::ParamSpec parameter_spec();
/// Reads validated parameters; throws engine::ConfigError for cross-key problems.
Settings read_settings(const engine::ConfigValue& parameters);

}  // namespace cohort::models::belief
