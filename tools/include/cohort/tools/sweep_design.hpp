#pragma once
// The designs of a parameter sweep (`cohort sweep`): which keys take which values in each run,
// and the replicate seeds derived from the config's seed.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace cohort::tools {

/// One swept key and the values it takes (`--grid key=v1,v2,...`), as YAML text.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

/// One design point: a value for every swept key, in column order.
struct DesignPoint {
  std::vector<std::pair<std::string, std::string>> values;
};

/// One run of the sweep: a design point, a replicate, its seed and its folder name.
struct PlannedRun {
  std::size_t point = 0;      ///< index into the design
  std::size_t replicate = 0;  ///< 0-based
  std::uint64_t seed = 0;
  std::string folder;  ///< "p0003_r02": point 3, replicate 2 (1-based, sortable)
};

/// Parses "key=v1,v2,...". Throws std::invalid_argument naming the text when it is malformed
/// (no '=', no key, no value, a repeated value).
SweepAxis parse_axis(const std::string& text);

/// Reads a design list: a CSV file whose header names the keys and whose every row is one
/// design point. Throws std::invalid_argument naming the file and line of a row whose cell
/// count differs from the header's, or std::runtime_error when it cannot be read.
std::vector<DesignPoint> read_design_list(const std::filesystem::path& file);

/// The designs of a sweep: every row of `listed` (or one empty design when there is none)
/// crossed with every value of each axis in turn. Throws std::invalid_argument when a key is
/// swept twice or there is nothing to sweep.
std::vector<DesignPoint> cross(const std::vector<DesignPoint>& listed,
                               const std::vector<SweepAxis>& axes);

/// The seed of replicate `r`: a SplitMix64 hash of (base seed, r), so replicates are
/// independent streams, the same replicate shares its seed across design points (common random
/// numbers: differences between designs are not seed noise), and the same base seed gives the
/// same sweep. Kept below 2^63 (a config seed is a non-negative YAML integer).
std::uint64_t replicate_seed(std::uint64_t base_seed, std::size_t replicate);

/// Every run: each design point times `replicates`, point-major.
std::vector<PlannedRun> plan_runs(std::size_t points, std::size_t replicates,
                                  std::uint64_t base_seed);

}  // namespace cohort::tools
