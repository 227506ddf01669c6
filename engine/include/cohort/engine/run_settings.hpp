#pragma once
// A run's configuration: the YAML file validated against the engine's run schema composed with
// the model's parameter schema.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/config_value.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/monitor_settings.hpp"
#include "cohort/engine/param_spec.hpp"
#include "cohort/engine/rank_group.hpp"
#include "cohort/engine/snapshot_writer.hpp"

namespace cohort::engine {

/// Everything `cohort run` needs, validated.
struct RunSettings {
  std::filesystem::path config_file;
  std::string model;
  std::uint64_t seed = 42;
  std::uint64_t steps = 1;
  std::size_t threads = 0;  ///< 0 = hardware threads
  std::filesystem::path out_dir;
  std::uint64_t report_every = 1;
  std::uint64_t checkpoint_every = 0;  ///< 0 = only on SIGINT/SIGTERM
  std::vector<PopulationSetup> populations;
  MonitorSettings monitor;     ///< the `monitor:` section (not part of config_hash)
  SnapshotSettings snapshots;  ///< output.snapshots (not part of config_hash)
  ConfigValue root;            ///< the whole validated document
  /// Files the model reads besides the config (ModelInfo::input_files), e.g. an edge file.
  std::vector<std::filesystem::path> input_files;
  /// Hash of what determines the simulation (model, seed, populations, parameters, the contents
  /// of the input files); threads, steps and output settings are excluded so a resume may
  /// change them.
  std::uint64_t config_hash = 0;
  /// The ranks of a distributed run (set by the MPI launcher, not by the config); null: one
  /// process.
  std::shared_ptr<const RankGroup> ranks = nullptr;

  const ConfigValue& parameters() const { return root.at("parameters"); }
  /// The validated `space:` block, or nullptr when the model declares no space.
  const ConfigValue* space() const { return root.find("space"); }
  /// What a model is built from: parameters, populations, the config's folder, the space.
  ModelSetup model_setup() const;
};

/// The schema of a run of `model`: model, plugins, seed, steps, threads, output, populations (the
/// model's declared ones), monitor (memory timeline, alerts, leaks), parameters (the model's own
/// schema).
ParamSpec run_schema(const ModelInfo& model);

/// The shared libraries `file` asks for in `plugins: [...]` (after `overrides`), relative paths
/// resolved against the config file's folder. Read before the model is looked up, since a plugin
/// may be what defines it. Throws ConfigError for an unreadable file or a `plugins` key that is
/// not a list of paths.
std::vector<std::filesystem::path> config_plugins(const std::filesystem::path& file,
                                                  const std::vector<std::string>& overrides = {});

/// Loads `file`, applies `overrides` ("key.path=value"), validates everything before anything
/// runs. Throws ConfigError naming the file, line, column and key of each problem.
RunSettings load_run_settings(const ModelRegistry& registry, const std::filesystem::path& file,
                              const std::vector<std::string>& overrides = {});

}  // namespace cohort::engine
