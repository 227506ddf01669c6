#pragma once
// What each run of a sweep became, kept in its folder (outcome.json) so `--resume` can skip it,
// and the sweep's tables built from all of them: sweep.csv (one row per run: parameters, seed,
// status, final metrics), sweep_steps.csv (every reported step of every finished run) and
// sweep_summary.csv (per design point and metric: runs, mean, sd, 95% CI).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cohort/tools/csv.hpp"
#include "cohort/tools/sweep_design.hpp"

namespace cohort::tools {

/// How one run ended, and its metrics when it finished.
struct RunOutcome {
  PlannedRun run;
  int exit_code = -1;   ///< -1 when a signal ended it
  int signal = 0;       ///< the signal that ended it, if one did
  std::string message;  ///< why it failed ("" when it finished)
  CsvTable metrics;     ///< its metrics.csv, when it finished

  bool finished() const { return exit_code == 0; }
};

/// Writes `outcome` to `run_dir`/outcome.json (atomically), the mark of a run that ended.
void write_outcome(const std::filesystem::path& run_dir, const RunOutcome& outcome);

/// The outcome recorded in `run_dir` for `run`, with its metrics.csv when it finished; nothing
/// when the run has not ended, was recorded for another seed, or its metrics are missing.
std::optional<RunOutcome> read_outcome(const std::filesystem::path& run_dir, const PlannedRun& run);

/// Mean, sample standard deviation and 95% confidence interval of the mean (Student's t) of a
/// sample; sd and the interval are NaN for fewer than 2 values, everything for none.
struct SampleSummary {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;
  double ci_low = 0;
  double ci_high = 0;
};
SampleSummary summarise_sample(const std::vector<double>& values);

/// Writes sweep.csv, sweep_steps.csv and sweep_summary.csv to `dir`, each atomically.
/// `outcomes` holds every run of the sweep, in plan order.
void write_sweep_tables(const std::filesystem::path& dir, const std::vector<DesignPoint>& points,
                        const std::vector<RunOutcome>& outcomes);

}  // namespace cohort::tools
