#pragma once
// The gene_network parameters, read from a validated config and checked across keys (checks the
// schema cannot express: edges against the gene count, matrix shapes, k > 0, ...).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "cohort/engine/config_value.hpp"
#include "conditions.hpp"
#include "regulatory_network.hpp"

namespace cohort::models::gene_network {

/// Storage and arithmetic type of expression levels.
enum class Precision : std::uint8_t { float64 = 0, float32 = 1 };

/// The fitness function of step 3.
enum class FitnessRule : std::uint8_t { proportional, threshold, epistatic, multi_objective };

/// A fitness function and its parameters.
struct Fitness {
  FitnessRule rule = FitnessRule::proportional;
  double threshold = 0.5;            ///< threshold t
  std::vector<double> interactions;  ///< epistatic M, G x G by rows
  std::vector<double> weights;       ///< multi_objective w, one per gene
};

/// The parent-choice scheme of step 4.
enum class SelectionRule : std::uint8_t { none, wright_fisher, tournament, truncation };

/// A selection scheme, with elitism and reproduction.
struct Selection {
  SelectionRule rule = SelectionRule::none;
  std::uint32_t tournament_size = 2;
  double truncation_fraction = 0.5;
  std::uint64_t elitism = 0;
  bool sexual = false;
  double crossover_rate = 0.5;
};

/// Point mutation (rate 0 = none).
struct Mutation {
  double rate = 0.0;
  double magnitude = 0.0;
};

/// Everything a gene_network run is made of.
struct Settings {
  std::uint32_t genes = 100;
  std::uint64_t individuals = 0;
  Precision precision = Precision::float64;
  double initial_low = 0.3, initial_high = 0.7;
  ConditionSchedule conditions;
  BaseExpression base;
  Regulation regulation;
  bool has_network = false;
  RegulatoryNetwork network;
  Fitness fitness;
  Selection selection;
  Mutation mutation;
  bool gene_means = false;
  bool population_csv = false;
};

/// Whether read_settings builds a random network (O(genes^2) draws) or only checks its keys.
enum class RandomNetwork : std::uint8_t { build, check_only };

/// Reads `parameters` (validated against parameter_schema()). Network files are relative to
/// `config_dir`; a random network without its own seed uses `run_seed`. Throws
/// engine::ConfigError listing every cross-key problem at once, including a run whose genomes
/// cannot fit in this machine's memory.
Settings read_settings(const engine::ConfigValue& parameters,
                       const std::filesystem::path& config_dir, std::uint64_t run_seed,
                       std::uint64_t individuals, RandomNetwork random = RandomNetwork::build);

/// The edge file the run reads (resolved against `config_dir`), if the network is read from one.
std::optional<std::filesystem::path> edge_file(const engine::ConfigValue& parameters,
                                               const std::filesystem::path& config_dir);

}  // namespace cohort::models::gene_network
