#pragma once
// `cohort bench`'s files: what each run measured, read from its output folder, and the
// study's results (bench_runs.csv, bench_summary.csv, bench.json).

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cohort/tools/scale_plan.hpp"
#include "cohort/tools/scaling_analysis.hpp"

namespace cohort::cli {

/// Thrown when a run's outputs lack what the bench was told to read (an --agents-metric that is
/// not a column of metrics.csv): bad input, not a broken run.
struct MissingAgentsMetric : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// The measurements of the finished run in `run_dir`, labelled `label`. Its agents are what the
/// run really created: the monitor's agent count at step 0 (timeline.csv), or, when
/// `agents_metric` is not empty, that metric's step-0 value in metrics.csv (for models whose
/// entities are not agents, e.g. ForestFire's trees, which are grid cells). Throws
/// MissingAgentsMetric when metrics.csv has no such column.
tools::ScaleRun read_scale_run(const std::filesystem::path& run_dir, const std::string& label,
                               const std::string& agents_metric);

/// How the study was set up, as bench.json records it.
struct BenchSetup {
  std::vector<tools::ScaleAxis> axes;
  std::vector<tools::ScaleVariant> variants;
  std::string agents_from;  ///< where the agent counts came from, in words
  double baseline_rss = 0;  ///< peak RSS with no agents; 0 when not measured
  bool baseline_measured = false;
};

/// Writes bench_runs.csv, bench_summary.csv and bench.json to `dir`. `plot_note` is why the plot
/// was skipped, empty when bench.png was drawn.
void write_bench_results(const std::filesystem::path& dir, const BenchSetup& setup,
                         const std::vector<tools::ScaleRun>& runs,
                         const std::vector<tools::ScaleSummary>& summary,
                         const tools::ScalingFit& fit, const std::string& plot_note);

}  // namespace cohort::cli
