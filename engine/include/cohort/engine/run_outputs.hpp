#pragma once
// The output folder of one run, owned for the whole run: checked and locked before the model is
// built, cleared of what an earlier run left there, and written as the run goes (metrics.csv and
// timeline.csv appended and flushed at every output step, run.json saying whether the run is
// still going), so a run that is killed, refused or fails leaves every row it produced.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/run_settings.hpp"

namespace cohort::engine {

class RunMonitor;

/// How a run ended, as run.json's "status" says ("running" while it goes).
enum class RunStatus : std::uint8_t { running, completed, interrupted, refused, failed };
std::string_view to_string(RunStatus status);

/// The version of the layout of run.json, summary.json, metrics.csv and timeline.csv; raised
/// when a field changes meaning or disappears.
inline constexpr int kOutputSchemaVersion = 2;
/// The cohort release that wrote the outputs (the project version).
std::string_view cohort_version();

/// The output folder cannot be used: another run holds it, or it cannot be created or written.
class OutputFolderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The file in an output folder that a run holds an exclusive flock on while it runs.
inline constexpr const char* kOutputLockFile = ".cohort.lock";

/// Removes what a cohort run wrote to `dir` (the files its run.json lists, the standard outputs
/// and, if `keep_checkpoint` is false, the checkpoint), never anything else (nor the lock file).
/// Returns the entries left in `dir` afterwards.
std::vector<std::filesystem::path> remove_run_files(const std::filesystem::path& dir,
                                                    bool keep_checkpoint);

/// Removes `*.tmp.<pid>` files in `dir` whose process has ended (a kill -9 during a write
/// leaves them); returns how many were removed.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir);

/// The output folder of a run in progress.
class RunOutputs {
 public:
  /// Creates settings.out_dir, locks it (OutputFolderError when another process holds it),
  /// removes stale temporaries and the files of the previous run there (its checkpoint stays:
  /// it may be the one being resumed), then writes config.resolved.yaml and run.json with
  /// status "running". Throws OutputFolderError or std::filesystem::filesystem_error.
  explicit RunOutputs(const RunSettings& settings);
  ~RunOutputs();
  RunOutputs(const RunOutputs&) = delete;
  RunOutputs& operator=(const RunOutputs&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  /// Starts metrics.csv over with `csv` (the header and the rows so far: step 0, or those of a
  /// checkpoint).
  void start_metrics(std::string_view csv);
  /// Appends one metrics line (with its newline) and flushes it to the system.
  void append_metrics(std::string_view line);
  /// Brings timeline.csv up to the monitor's samples: appends new rows, or rewrites the file
  /// when a sample added a column.
  void update_timeline(const RunMonitor& monitor);

  /// Rewrites run.json: `body` with "status", the versions and the files this run wrote.
  void write_run_json(RunStatus status, nlohmann::ordered_json body);

 private:
  std::filesystem::path dir_;
  int lock_fd_ = -1;
  std::FILE* metrics_ = nullptr;
  std::FILE* timeline_ = nullptr;
  std::vector<std::string> timeline_columns_;
  std::size_t timeline_rows_ = 0;
  std::vector<std::filesystem::path> present_at_start_;
};

/// Adds "status", "cohort_version" and "schema_version" in front of `body`.
nlohmann::ordered_json with_status(RunStatus status, const nlohmann::ordered_json& body);

}  // namespace cohort::engine
