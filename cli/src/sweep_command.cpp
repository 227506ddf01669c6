#include "sweep_command.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.hpp"
#include "cohort/engine/atomic_file.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/tools/sweep_results.hpp"
#include "exit_codes.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;
using tools::DesignPoint;
using tools::PlannedRun;
using tools::RunOutcome;

std::vector<std::string> overrides_of(const SweepOptions& o, const DesignPoint& point) {
  std::vector<std::string> sets = o.set;
  if (o.steps) sets.push_back("steps=" + std::to_string(*o.steps));
  sets.push_back("threads=" + std::to_string(o.threads));
  for (const auto& [key, value] : point.values)
    sets.push_back(key + "=" + value);
  return sets;
}

// What identifies a sweep in its folder, so --resume never mixes two designs.
std::string plan_text(const SweepOptions& o, const std::vector<DesignPoint>& points,
                      std::uint64_t base_seed) {
  nlohmann::ordered_json j;
  j["config"] = fs::absolute(o.config).lexically_normal().string();
  j["seed"] = base_seed;
  j["replicates"] = o.replicates;
  j["overrides"] = o.set;
  j["steps"] = o.steps ? nlohmann::ordered_json(*o.steps) : nlohmann::ordered_json();
  j["designs"] = nlohmann::ordered_json::array();
  for (const DesignPoint& p : points) {
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    for (const auto& [key, value] : p.values)
      d[key] = value;
    j["designs"].push_back(d);
  }
  return j.dump(2) + "\n";
}

// Why a run failed, from its log: the last error line without its time stamp, else the last line.
std::string failure_message(const fs::path& log, const ChildResult& r) {
  if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
  std::ifstream in(log);
  std::string last, last_error;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    last = line;
    if (line.find("] error ") != std::string::npos) last_error = line;
  }
  std::string m = last_error.empty() ? last : last_error;
  if (const auto at = m.find("] error "); at != std::string::npos) m = m.substr(at + 8);
  return m.empty() ? "exit code " + std::to_string(r.exit_code) : m;
}

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

// A run in flight.
struct Running {
  std::size_t index;
  std::unique_ptr<ChildProcess> child;
};

}  // namespace

int sweep_command(const engine::ModelRegistry& registry, const SweepOptions& o) {
  std::vector<DesignPoint> points;
  try {
    std::vector<tools::SweepAxis> axes;
    for (const std::string& g : o.grid)
      axes.push_back(tools::parse_axis(g));
    points = tools::cross(
        o.list.empty() ? std::vector<DesignPoint>{} : tools::read_design_list(o.list), axes);
  } catch (const std::invalid_argument& e) {
    spdlog::error("sweep: {}", e.what());
    return kBadInput;
  }
  // Every design is validated before anything runs, as `cohort run` would validate it.
  std::uint64_t base_seed = 0;
  for (std::size_t p = 0; p < points.size(); ++p) {
    try {
      const engine::RunSettings s =
          engine::load_run_settings(registry, o.config, overrides_of(o, points[p]));
      if (p == 0) base_seed = s.seed;
    } catch (const engine::ConfigError& e) {
      spdlog::error("sweep design {}: {}", p + 1, e.what());
      return kBadInput;
    }
  }

  const fs::path dir = o.out;
  const std::string plan = plan_text(o, points, base_seed);
  if (fs::exists(dir / "sweep.json")) {
    std::ifstream in(dir / "sweep.json");
    const std::string before{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!o.resume) {
      spdlog::error(
          "sweep: {} already holds a sweep; pass --resume to finish it, or choose "
          "another --out",
          dir.string());
      return kBadInput;
    }
    if (before != plan) {
      spdlog::error(
          "sweep: {} holds a sweep of other designs, config or seed; --resume needs the "
          "same command line (see {})",
          dir.string(), (dir / "sweep.json").string());
      return kBadInput;
    }
  }
  fs::create_directories(dir / "runs");
  engine::write_file_atomically(dir / "sweep.json", plan);

  const std::vector<PlannedRun> runs = tools::plan_runs(points.size(), o.replicates, base_seed);
  std::vector<RunOutcome> outcomes(runs.size());
  std::deque<std::size_t> pending;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const fs::path run_dir = dir / "runs" / runs[i].folder;
    const std::optional<RunOutcome> kept =
        o.resume ? tools::read_outcome(run_dir, runs[i]) : std::nullopt;
    if (kept && kept->finished()) {
      outcomes[i] = *kept;
      continue;
    }
    pending.push_back(i);
  }
  const std::size_t to_run = pending.size();
  if (to_run < runs.size())
    spdlog::info("sweep: {} of {} runs already finished in {}", runs.size() - to_run, runs.size(),
                 dir.string());
  spdlog::info("sweep: {} designs x {} replicates, {} runs to do, {} at once", points.size(),
               o.replicates, to_run, o.jobs);

  const fs::path self = self_executable();
  const auto start = std::chrono::steady_clock::now();
  std::vector<Running> running;
  std::size_t done = 0, failed = 0;
  int first_failure = kOk;
  while (!pending.empty() || !running.empty()) {
    while (!pending.empty() && running.size() < o.jobs) {
      const std::size_t i = pending.front();
      pending.pop_front();
      const PlannedRun& run = runs[i];
      const fs::path run_dir = dir / "runs" / run.folder;
      fs::remove_all(run_dir);
      fs::create_directories(run_dir);
      // The run reads the original config (its relative file paths still resolve); the resolved
      // document beside its outputs says exactly what it ran.
      std::vector<std::string> sets = overrides_of(o, points[run.point]);
      sets.push_back("seed=" + std::to_string(run.seed));
      sets.push_back("output.dir=" + run_dir.string());
      engine::write_file_atomically(
          run_dir / "config.resolved.yaml",
          engine::load_run_settings(registry, o.config, sets).root.to_yaml() + "\n");
      std::vector<std::string> args{"run", o.config, "--quiet", "--no-profile"};
      for (const std::string& s : sets)
        args.insert(args.end(), {"--set", s});
      for (const std::string& p : o.plugins)
        args.insert(args.end(), {"--plugin", p});
      running.push_back(
          {i, std::make_unique<ChildProcess>(
                  self, args,
                  ChildStreams{.out = run_dir / "log.txt", .err = {}, .append = true, .cwd = {}})});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (auto it = running.begin(); it != running.end();) {
      if (it->child->running()) {
        ++it;
        continue;
      }
      const std::size_t i = it->index;
      const fs::path run_dir = dir / "runs" / runs[i].folder;
      const ChildResult r = it->child->wait();
      it = running.erase(it);
      RunOutcome outcome;
      outcome.run = runs[i];
      outcome.exit_code = r.exit_code;
      outcome.signal = r.signal;
      if (r.exit_code != kOk) outcome.message = failure_message(run_dir / "log.txt", r);
      tools::write_outcome(run_dir, outcome);
      if (const auto read = tools::read_outcome(run_dir, runs[i]); read) outcome = *read;
      outcomes[i] = outcome;
      ++done;
      if (!outcome.finished()) {
        ++failed;
        if (first_failure == kOk) first_failure = r.exit_code > 0 ? r.exit_code : kInternalError;
        spdlog::warn("sweep: run {} failed (exit {}): {}", runs[i].folder, r.exit_code,
                     outcome.message);
      }
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double eta = elapsed / static_cast<double>(done) * static_cast<double>(to_run - done);
      std::fprintf(stderr, "sweep [%zu/%zu] %s %s, %zu failed, elapsed %s, ETA %s\n", done, to_run,
                   runs[i].folder.c_str(), outcome.finished() ? "finished" : "FAILED", failed,
                   clock_text(elapsed).c_str(), clock_text(eta).c_str());
    }
  }
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (outcomes[i].run.folder.empty()) outcomes[i].run = runs[i];
  tools::write_sweep_tables(dir, points, outcomes);
  spdlog::info(
      "sweep: {} runs, {} failed; results in {} (sweep.csv, sweep_steps.csv, "
      "sweep_summary.csv)",
      runs.size(), failed, dir.string());
  return first_failure;
}

}  // namespace cohort::cli
