#pragma once
// Per-agent snapshots: every N steps, one row per agent (step, uid, its columns' numbers) in one
// tidy CSV per population, appended and flushed as the run goes like metrics.csv.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/column_fields.hpp"
#include "cohort/engine/config_value.hpp"
#include "cohort/engine/source_location.hpp"

namespace cohort::engine {

class World;
class Population;

/// A name the config gives (a population or a column), with where it was given, for errors.
struct ConfiguredName {
  std::string name;
  std::string key_path;  ///< e.g. "output.snapshots.columns[1]"
  SourceLocation location;
};

/// The `output.snapshots` section.
struct SnapshotSettings {
  std::uint64_t every = 0;                  ///< 0: no snapshots
  std::vector<ConfiguredName> populations;  ///< empty: every population
  std::vector<ConfiguredName> columns;      ///< empty: every column that holds numbers
  bool compress = false;  ///< gzip (snapshots_<population>.csv.gz), one member per step
};

/// Reads the validated `output.snapshots` object.
SnapshotSettings snapshot_settings_from(const ConfigValue& snapshots);

/// Removes every snapshots_*.csv and snapshots_*.csv.gz in `dir` (a run without snapshots, after
/// one with them).
void remove_snapshot_files(const std::filesystem::path& dir);

/// The snapshot files of one run: `snapshots_<population>.csv` in the output folder.
class SnapshotWriter {
 public:
  /// Resolves the chosen populations and columns in `world` (a ConfigError names a population or
  /// column that is not there, and the ones that are) and opens the files: fresh at step 0, or,
  /// after a resume, the earlier run's files cut after the resumed step's rows (rows later than
  /// the checkpoint are written again, identically). Removes snapshot files of populations no
  /// longer chosen.
  SnapshotWriter(SnapshotSettings settings, const World& world, std::filesystem::path dir);

  /// Whether `step` is a snapshot step.
  bool due(std::uint64_t step) const { return settings_.every != 0 && step % settings_.every == 0; }
  /// Appends the rows of the world's current step to every file that lacks them, and flushes.
  void write(const World& world);

 private:
  struct Output {
    std::uint16_t population;
    std::vector<std::pair<std::uint32_t, ColumnField>> fields;  // (column, field)
    std::filesystem::path path;
    // Owned, so files opened before a failure in the constructor are closed too.
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
    std::optional<std::uint64_t> last_step;  // the step whose rows the file ends with
  };
  void append(Output& out, std::string_view text);

  SnapshotSettings settings_;
  std::vector<Output> outputs_;
  std::string buffer_;
};

}  // namespace cohort::engine
