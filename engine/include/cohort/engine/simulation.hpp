#pragma once
// A configured run: builds the world from RunSettings through the model registry, steps it,
// records metrics, checkpoints, and writes the output files.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/model.hpp"
#include "cohort/engine/run_monitor.hpp"
#include "cohort/engine/run_outputs.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/world.hpp"

namespace cohort::engine {

/// What a progress display needs, reported after every step.
struct Progress {
  std::uint64_t step = 0;
  std::uint64_t steps = 0;
  double elapsed_seconds = 0;
  double steps_per_second = 0;
  std::uint64_t accounted_bytes = 0;
};

/// How a run ended.
enum class RunEnd : std::uint8_t { completed, interrupted };

/// One metrics row: the step it describes and the value of each metric.
struct MetricRow {
  std::uint64_t step;
  std::vector<double> values;
};

/// A run of one model. Output files (in settings.out_dir):
///  - metrics.csv: one row per reported step (step 0 is the initial state), deterministic;
///  - summary.json: final metrics, agent counts and variable bytes, deterministic;
///  - memory.json: the memory report; run.json: status, wall time, threads, RSS, the monitor's
///    alerts and leak verdicts; timeline.csv: the monitor's memory samples (these vary per run);
///  - checkpoint.cohort when checkpointing.
/// With stream_outputs_to(), metrics.csv and timeline.csv grow as the run goes.
/// metrics.csv and summary.json are byte-identical for the same config and seed on any thread
/// count and after a checkpoint and resume.
class Simulation {
 public:
  Simulation(const ModelRegistry& registry, RunSettings settings);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  World& world() { return *world_; }
  const RunSettings& settings() const { return settings_; }
  const std::vector<std::string>& metric_names() const { return metric_names_; }
  const std::vector<MetricRow>& metric_rows() const { return rows_; }
  /// The memory monitor (samples every settings().monitor.every steps while running).
  RunMonitor& monitor() { return monitor_; }
  const RunMonitor& monitor() const { return monitor_; }

  /// Continues from a checkpoint written by a run of the same model and config. Throws
  /// CheckpointError if it is unusable or from a different config, ConfigError if the
  /// checkpoint is past settings().steps.
  void resume(const std::filesystem::path& checkpoint);

  /// From now on, appends each metrics row and monitor sample to `outputs` as it is recorded
  /// (after writing those recorded so far). `outputs` must outlive the run.
  void stream_outputs_to(RunOutputs& outputs);

  /// Steps until settings().steps are done or `stop` becomes true (then writes a checkpoint;
  /// also when `stop` is already true before the first step).
  RunEnd run(const std::atomic<bool>& stop, const std::function<void(const Progress&)>& progress);

  /// Writes the checkpoint of the current state.
  void write_checkpoint(const std::filesystem::path& path);
  std::filesystem::path checkpoint_path() const { return settings_.out_dir / "checkpoint.cohort"; }

  /// Writes metrics.csv, summary.json, memory.json, timeline.csv, the model's own outputs and,
  /// last, run.json with `status`; returns the memory report as text for the log.
  std::string write_outputs(RunStatus status = RunStatus::completed);
  /// Rewrites only run.json, for a run that ended with an error (`status` refused or failed):
  /// what is known of the run, and `error`. Needs stream_outputs_to().
  void write_run_status(RunStatus status, const std::string& error);

 private:
  void resume_from(const std::filesystem::path& checkpoint);
  // Puts the checkpoint payload into `out` (collective on distributed runs, where only rank 0's
  // `out` is kept).
  void write_state(CheckpointWriter& out);
  // Whether this rank's `stop` or any other rank's is set (collective on distributed runs).
  bool stop_requested(const std::atomic<bool>& stop) const;
  static std::filesystem::path monitor_checkpoint_path(const std::filesystem::path& checkpoint);
  void restore_monitor(const std::filesystem::path& checkpoint, std::uint64_t step);
  void record_metrics();
  nlohmann::ordered_json run_json(std::uint64_t peak_rss) const;

  RunSettings settings_;
  std::unique_ptr<World> world_;
  std::unique_ptr<Model> model_;
  std::vector<std::string> metric_names_;
  std::vector<MetricKind> metric_kinds_;
  std::vector<MetricRow> rows_;
  RunMonitor monitor_;
  double wall_seconds_ = 0;
  std::uint64_t steps_this_process_ = 0;
  RunOutputs* outputs_ = nullptr;
  std::unique_ptr<SnapshotWriter> snapshots_;  // when output.snapshots.every > 0
  bool portable_checkpoints_ = false;          // the model runs over ranks (ModelInfo)
};

}  // namespace cohort::engine
