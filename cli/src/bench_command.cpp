#include "bench_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "bench_plot.hpp"
#include "bench_results.hpp"
#include "child_process.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_outputs.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/tools/scale_plan.hpp"
#include "cohort/tools/scaling_analysis.hpp"
#include "exit_codes.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;

// The results of an earlier `cohort bench` in `dir` are cohort's to replace; anything else is
// the user's. Returns an error message, empty when `dir` may be used.
std::string claim_bench_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {};
  if (!fs::is_directory(dir, ec)) return dir.string() + " exists and is not a directory";
  if (fs::is_empty(dir, ec)) return {};
  if (!fs::is_regular_file(dir / "bench.json", ec) && !fs::is_directory(dir / "runs", ec))
    return dir.string() +
           " is not empty and holds no earlier `cohort bench` results (bench.json); refusing to "
           "write into it: choose a new or empty directory";
  // Each run folder of the earlier bench loses exactly the files cohort wrote there.
  if (fs::is_directory(dir / "runs", ec))
    for (const fs::directory_entry& e : fs::directory_iterator(dir / "runs")) {
      if (!e.is_directory())
        return e.path().string() +
               " was not written by cohort bench; move it away or choose "
               "another --out";
      engine::remove_run_files(e.path(), /*keep_checkpoint=*/false);
      for (const char* name : {"log.txt", engine::kOutputLockFile})
        if (fs::is_regular_file(fs::symlink_status(e.path() / name, ec)))
          fs::remove(e.path() / name, ec);
      if (!fs::is_empty(e.path(), ec))
        return e.path().string() + " holds files cohort did not write (" +
               fs::directory_iterator(e.path())->path().filename().string() +
               "); move them away or choose another --out";
      fs::remove(e.path());
    }
  return {};
}

void log_fit(const char* what, const std::optional<engine::PowerLawFit>& f) {
  if (f)
    spdlog::info("{} ~ N^{:.3f} (95% CI {:.3f}..{:.3f}, R2 {:.4f}, {} points)", what, f->exponent,
                 f->line.ci_low, f->line.ci_high, f->line.r2, f->line.n);
}

// `cohort run CONFIG` into `run_dir` with `sets` (and the bench's plugins) in a child process.
ChildResult run_config(const fs::path& self, const BenchOptions& o,
                       const std::vector<std::string>& sets, const fs::path& run_dir) {
  fs::create_directories(run_dir);
  std::vector<std::string> args{"run",          o.config, "--quiet",
                                "--no-profile", "--out",  run_dir.string()};
  for (const std::string& s : sets)
    args.insert(args.end(), {"--set", s});
  for (const std::string& p : o.plugins)
    args.insert(args.end(), {"--plugin", p});
  return run_child(self, args, run_dir / "log.txt");
}

// Peak RSS of the process with every population empty: the program, its libraries and the
// model's shared data, which do not grow with agents. Nothing when there is no population to
// empty (the model's entities are cells: fit total RSS) or that run fails.
std::optional<double> baseline_rss(const fs::path& self, const BenchOptions& o,
                                   std::vector<std::string> sets,
                                   const std::vector<std::string>& populations,
                                   const fs::path& run_dir) {
  if (populations.empty()) {
    spdlog::info("the model has no population to empty for a no-agent baseline: fitting total RSS");
    return std::nullopt;
  }
  fs::remove_all(run_dir);
  for (const std::string& p : populations)
    sets.push_back("populations." + p + ".size=0");
  sets.emplace_back("steps=1");
  if (run_config(self, o, sets, run_dir).exit_code != kOk) {
    spdlog::warn("the baseline run (no agents) failed; fitting total RSS (see {})",
                 (run_dir / "log.txt").string());
    return std::nullopt;
  }
  std::ifstream in(run_dir / "run.json");
  return nlohmann::json::parse(in).at("peak_rss").get<double>();
}

// What a configuration asks for, read as `cohort run` would read it.
struct Planned {
  std::uint64_t configured_agents = 0;  ///< the populations' sizes, summed
  std::vector<std::string> populations;
  std::size_t threads = 0;
};

Planned plan(const engine::ModelRegistry& registry, const std::string& config,
             const std::vector<std::string>& sets) {
  const engine::RunSettings s = engine::load_run_settings(registry, config, sets);
  Planned p;
  for (const engine::PopulationSetup& pop : s.populations) {
    p.configured_agents += pop.size;
    p.populations.push_back(pop.name);
  }
  p.threads = s.threads ? s.threads : std::thread::hardware_concurrency();
  return p;
}

std::vector<std::string> with(std::vector<std::string> sets, const std::vector<std::string>& more) {
  sets.insert(sets.end(), more.begin(), more.end());
  return sets;
}

}  // namespace

int bench_command(const engine::ModelRegistry& registry, const BenchOptions& o) {
  BenchSetup setup;
  try {
    for (const std::string& s : o.scales)
      setup.axes.push_back(tools::parse_scale_axis(s));
    setup.variants = tools::zip_scales(setup.axes);
  } catch (const std::invalid_argument& e) {
    spdlog::error("{}", e.what());
    return kBadInput;
  }
  const std::string options = tools::scale_options_text(setup.axes);
  std::vector<std::string> common = o.set;
  if (o.steps) common.push_back("steps=" + std::to_string(*o.steps));
  if (o.threads) common.push_back("threads=" + std::to_string(*o.threads));
  // Validate every configuration before running anything, as `cohort run` would, and check
  // that the scale changes the configured population, so a study that cannot be fitted never
  // starts. Agents counted by a metric are only known once a run has built them.
  std::set<std::uint64_t> sizes;
  Planned planned;
  for (const tools::ScaleVariant& v : setup.variants) {
    try {
      planned = plan(registry, o.config, with(common, v.assignments));
    } catch (const engine::ConfigError& e) {
      spdlog::error("{}: {}", options, e.what());
      return kBadInput;
    }
    sizes.insert(planned.configured_agents);
  }
  if (o.agents_metric.empty() && sizes.size() < 3) {
    spdlog::error(
        "{}: {} {} distinct configured population size(s); a scaling fit needs 3. Scale a "
        "population size, e.g. --scale populations.<name>.size=1000,2000,4000, or, when the "
        "model's entities are not agents (ForestFire's trees are grid cells), count them with "
        "--agents-metric METRIC (a column of its metrics.csv)",
        options,
        setup.axes.size() == 1 ? setup.axes.front().key + " gives" : "the scaled keys give",
        sizes.size());
    return kBadInput;
  }
  setup.agents_from = o.agents_metric.empty()
                          ? "agents at step 0 (timeline.csv)"
                          : "metric " + o.agents_metric + " at step 0 (metrics.csv)";

  const fs::path dir = o.out;
  if (const std::string refusal = claim_bench_dir(dir); !refusal.empty()) {
    spdlog::error("bench --out: {}", refusal);
    return kBadInput;
  }
  fs::create_directories(dir / "runs");
  const fs::path self = self_executable();
  const std::optional<double> baseline =
      baseline_rss(self, o, common, planned.populations, dir / "runs" / "baseline");
  setup.baseline_measured = baseline.has_value();
  setup.baseline_rss = baseline.value_or(0);
  std::vector<tools::ScaleRun> runs;
  const std::size_t total = setup.variants.size() * o.repeat;
  for (const tools::ScaleVariant& v : setup.variants) {
    std::string what;
    for (const std::string& a : v.assignments)
      what += (what.empty() ? "" : " ") + a;
    for (unsigned rep = 1; rep <= o.repeat; ++rep) {
      // Each run in its own process, so its peak RSS is its own; bench runs are not profiled.
      const fs::path run_dir = dir / "runs" / (std::to_string(runs.size() + 1));
      const ChildResult r = run_config(self, o, with(common, v.assignments), run_dir);
      if (r.exit_code != kOk) {
        spdlog::error("run {} (repetition {}) failed with {} {}; its log: {}", what, rep,
                      r.signal ? "signal" : "exit code", r.signal ? r.signal : r.exit_code,
                      (run_dir / "log.txt").string());
        return r.exit_code > 0 ? r.exit_code : kInternalError;
      }
      try {
        runs.push_back(read_scale_run(run_dir, v.label, o.agents_metric));
      } catch (const MissingAgentsMetric& e) {
        spdlog::error("{}", e.what());
        return kBadInput;
      }
      const tools::ScaleRun& m = runs.back();
      std::fprintf(stderr,
                   "bench [%zu/%zu] %s rep %u: %llu agents, %.4g ms/step, peak RSS %.1f MiB, "
                   "%.1f accounted B/agent\n",
                   runs.size(), total, what.c_str(), rep, static_cast<unsigned long long>(m.agents),
                   1e3 * m.seconds_per_step, m.peak_rss / 1048576, m.accounted_per_agent);
    }
  }

  const std::vector<tools::ScaleSummary> summary = tools::summarise_scales(runs);
  const tools::ScalingFit fit = tools::fit_scaling(runs, setup.baseline_rss);
  const std::string title = "cohort bench " + fs::path(o.config).filename().string() + ", " +
                            std::to_string(planned.threads) + " thread(s): population scaling";
  const std::string plot_note =
      fit.refusal.empty() ? plot_scaling(summary, fit, dir / "bench.png", title, fit.rss_baseline)
                          : "no fit (" + fit.refusal + ")";
  write_bench_results(dir, setup, runs, summary, fit, plot_note);
  if (!fit.refusal.empty()) {
    spdlog::error("not fitting: {}; measurements are in {}", fit.refusal,
                  (dir / "bench_runs.csv").string());
    return kBadInput;
  }
  log_fit("time per step", fit.time);
  log_fit(fit.rss_baseline > 0 ? "peak RSS above the baseline" : "peak RSS", fit.memory);
  log_fit("peak accounted bytes", fit.accounted);
  if (!plot_note.empty()) spdlog::warn("plot skipped: {}", plot_note);
  spdlog::info("results in {} (bench.json, bench_summary.csv, bench_runs.csv{})", dir.string(),
               plot_note.empty() ? ", bench.png" : "");
  return kOk;
}

}  // namespace cohort::cli
