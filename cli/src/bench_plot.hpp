#pragma once
// The log-log plot of `cohort bench`, drawn by gnuplot run as a child process.

#include <filesystem>
#include <string>
#include <vector>

#include "cohort/tools/scaling_analysis.hpp"

namespace cohort::cli {

/// Writes `png` (two log-log panels: time per step and peak RSS above `baseline_rss` against
/// agents, titled `plot_title` (passed to gnuplot as an argument, never as script text), each
/// scale's median with min-max error bars and the fitted line) via a generated gnuplot script next
/// to it. Returns "" on success, else why the plot was skipped (e.g. gnuplot is not installed).
std::string plot_scaling(const std::vector<tools::ScaleSummary>& scales,
                         const tools::ScalingFit& fit, const std::filesystem::path& png,
                         const std::string& plot_title, double baseline_rss);

}  // namespace cohort::cli
