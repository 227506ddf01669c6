#pragma once
// `cohort plot OUT_DIR`: PNGs of a finished (or interrupted) run's outputs, drawn by gnuplot.

#include <string>

namespace cohort::cli {

/// Options of `cohort plot`.
struct PlotOptions {
  std::string dir;    ///< a run's output directory
  std::string color;  ///< snapshot column that colours the positions picture ("" = none)
};

/// Draws metrics.png (each metric over steps, from metrics.csv) and memory.png (RSS, accounted
/// used and held, the alert thresholds crossed, and bytes per tag, from timeline.csv and
/// run.json) into the run's directory, and positions_<population>.png from the last per-agent
/// snapshot of populations with a position (see positions_plot.hpp). Exit 4 when a file is
/// missing or gnuplot fails.
int plot_command(const PlotOptions& options);

}  // namespace cohort::cli
