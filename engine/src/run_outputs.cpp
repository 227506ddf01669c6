#include "cohort/engine/run_outputs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <system_error>

#include "cohort/engine/atomic_file.hpp"
#include "cohort/engine/run_monitor.hpp"

namespace cohort::engine {

namespace fs = std::filesystem;

namespace {

#ifndef COHORT_VERSION
#error "COHORT_VERSION must be defined by the build"
#endif

constexpr const char* kLockFile = kOutputLockFile;
constexpr const char* kCheckpoint = "checkpoint.cohort";
// What every run writes; a run.json also lists the model's own files.
constexpr std::array<const char*, 6> kStandardFiles{"metrics.csv",          "summary.json",
                                                    "memory.json",          "timeline.csv",
                                                    "config.resolved.yaml", "run.json"};

[[noreturn]] void fail(const fs::path& path, const std::string& what, int error) {
  throw fs::filesystem_error(what, path, std::error_code(error, std::generic_category()));
}

// A plain file name another run may have listed (never a path out of the folder).
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

// The files the run.json in `dir` says its run wrote; none when it is missing or unreadable.
std::vector<std::string> listed_files(const fs::path& dir) {
  std::ifstream in(dir / "run.json");
  if (!in) return {};
  const nlohmann::json run = nlohmann::json::parse(
      std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}, nullptr,
      /*allow_exceptions=*/false);
  std::vector<std::string> names;
  if (!run.is_object() || !run.contains("files") || !run["files"].is_array()) return names;
  for (const nlohmann::json& f : run["files"])
    if (f.is_string() && plain_name(f.get<std::string>())) names.push_back(f.get<std::string>());
  return names;
}

std::vector<fs::path> entries_of(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
    out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void write_all(std::FILE* f, std::string_view text, const fs::path& path) {
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fflush(f) != 0)
    fail(path, "cannot write " + path.string(), errno);
}

std::FILE* open_for_append(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) fail(path, "cannot open " + path.string() + " for appending", errno);
  return f;
}

void close(std::FILE*& f) {
  if (f != nullptr) std::fclose(f);
  f = nullptr;
}

}  // namespace

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::running:
      return "running";
    case RunStatus::completed:
      return "completed";
    case RunStatus::interrupted:
      return "interrupted";
    case RunStatus::refused:
      return "refused";
    case RunStatus::failed:
      return "failed";
  }
  return "failed";
}

std::string_view cohort_version() {
  return COHORT_VERSION;
}

nlohmann::ordered_json with_status(RunStatus status, const nlohmann::ordered_json& body) {
  nlohmann::ordered_json j;
  j["status"] = to_string(status);
  j["cohort_version"] = cohort_version();
  j["schema_version"] = kOutputSchemaVersion;
  for (const auto& [key, value] : body.items())
    if (key != "status" && key != "cohort_version" && key != "schema_version") j[key] = value;
  return j;
}

std::vector<fs::path> remove_run_files(const fs::path& dir, bool keep_checkpoint) {
  std::vector<std::string> names = listed_files(dir);
  names.insert(names.end(), kStandardFiles.begin(), kStandardFiles.end());
  if (!keep_checkpoint) names.emplace_back(kCheckpoint);
  for (const std::string& name : names) {
    // Snapshots belong with the checkpoint: a resume keeps the rows up to its step (see
    // SnapshotWriter), and a fresh run starts them over or removes them.
    if (keep_checkpoint && (name == kCheckpoint || name.rfind("snapshots_", 0) == 0)) continue;
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(dir / name, ec))) fs::remove(dir / name, ec);
  }
  return entries_of(dir);
}

std::size_t remove_stale_temporaries(const fs::path& dir) {
  std::size_t removed = 0;
  for (const fs::path& p : entries_of(dir)) {
    const std::string name = p.filename().string();
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at + 5 == name.size()) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.size() > 10 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const long long number = std::stoll(digits);
    if (number > std::numeric_limits<pid_t>::max()) continue;
    const auto pid = static_cast<pid_t>(number);
    // Only a process that no longer exists: a live writer (this one or another) keeps its file.
    if (pid == ::getpid() || pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(p, ec)) && fs::remove(p, ec)) ++removed;
  }
  return removed;
}

RunOutputs::RunOutputs(const RunSettings& settings) : dir_(settings.out_dir) {
  if (dir_.empty()) throw OutputFolderError("the output directory is empty");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_))
    throw OutputFolderError("cannot create the output directory " + dir_.string() + ": " +
                            (ec ? ec.message() : "a file of that name exists"));
  const fs::path lock = dir_ / kLockFile;
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0)
    throw OutputFolderError("cannot write to the output directory " + dir_.string() + ": " +
                            std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw OutputFolderError(
        "the output directory " + dir_.string() + " is in use by another cohort run" +
        (n > 0 ? " (pid " + std::string(holder, static_cast<std::size_t>(n)) + ")"
               : std::string()) +
        "; wait for it to end or choose another --out");
  }
  const std::string pid = std::to_string(::getpid());
  // The pid is only for the message of a second run; the lock holds whether or not it is written.
  if (::ftruncate(lock_fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
  }
  remove_stale_temporaries(dir_);
  remove_run_files(dir_, /*keep_checkpoint=*/true);
  present_at_start_ = entries_of(dir_);
  write_file_atomically(dir_ / "config.resolved.yaml", settings.root.to_yaml());
  nlohmann::ordered_json body;
  body["model"] = settings.model;
  body["pid"] = ::getpid();
  write_run_json(RunStatus::running, body);
}

RunOutputs::~RunOutputs() {
  close(metrics_);
  close(timeline_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

void RunOutputs::start_metrics(std::string_view csv) {
  close(metrics_);
  write_file_atomically(dir_ / "metrics.csv", csv);
  metrics_ = open_for_append(dir_ / "metrics.csv");
}

void RunOutputs::append_metrics(std::string_view line) {
  if (metrics_ == nullptr) return;
  write_all(metrics_, line, dir_ / "metrics.csv");
}

void RunOutputs::update_timeline(const RunMonitor& monitor) {
  const std::vector<std::string> columns = monitor.timeline_columns();
  const auto& samples = monitor.samples();
  const fs::path path = dir_ / "timeline.csv";
  if (timeline_ == nullptr || columns != timeline_columns_ || samples.size() < timeline_rows_) {
    close(timeline_);
    write_file_atomically(path, monitor.timeline_csv());
    timeline_columns_ = columns;
    timeline_rows_ = samples.size();
    timeline_ = open_for_append(path);
    return;
  }
  std::string rows;
  for (; timeline_rows_ < samples.size(); ++timeline_rows_)
    rows += monitor.timeline_row(samples[timeline_rows_], columns);
  write_all(timeline_, rows, path);
}

void RunOutputs::write_run_json(RunStatus status, nlohmann::ordered_json body) {
  nlohmann::ordered_json run = with_status(status, body);
  // The files this run wrote: the standard ones and whatever appeared since it started (the
  // model's own outputs), so the next run into this folder removes exactly these.
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const fs::path& p : entries_of(dir_)) {
    const std::string name = p.filename().string();
    if (name == kLockFile || name.find(".tmp.") != std::string::npos) continue;
    if (std::find(present_at_start_.begin(), present_at_start_.end(), p) !=
            present_at_start_.end() &&
        name != kCheckpoint)
      continue;
    files.push_back(name);
  }
  if (std::find(files.begin(), files.end(), "run.json") == files.end()) files.push_back("run.json");
  run["files"] = std::move(files);
  write_file_atomically(dir_ / "run.json", run.dump(2) + "\n");
}

}  // namespace cohort::engine
