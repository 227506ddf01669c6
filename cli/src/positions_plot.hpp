#pragma once
// The positions picture of `cohort plot`: each population's agents at the last snapshot step,
// from snapshots_<population>.csv, coloured by a chosen column.

#include <filesystem>
#include <string>

namespace cohort::cli {

/// Draws positions_<population>.png for every snapshots_<population>.csv in `dir` whose columns
/// include a position (`<c>.x` and `<c>.y` of one component, or `x` and `y`): the agents at the
/// file's last step, coloured by `color` when that column is there. Returns how many it drew;
/// throws std::runtime_error when gnuplot fails.
int plot_positions(const std::filesystem::path& dir, const std::string& color);

}  // namespace cohort::cli
