#include "bench_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "bench_plot.hpp"
#include "child_process.hpp"
#include "cohort/engine/atomic_file.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_outputs.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/tools/scaling_analysis.hpp"
#include "exit_codes.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct Scale {
  std::string key;
  std::vector<std::string> values;
};

// "key=v1,v2,..." or nothing when malformed.
std::optional<Scale> parse_scale(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  Scale s{text.substr(0, eq), {}};
  std::stringstream in(text.substr(eq + 1));
  for (std::string v; std::getline(in, v, ',');)
    if (!v.empty()) s.values.push_back(v);
  if (s.values.empty()) return std::nullopt;
  return s;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Agents at step 0, from the first data row of timeline.csv (the realised population).
std::uint64_t initial_agents(const fs::path& timeline) {
  std::stringstream in(read_text(timeline));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::stringstream cells(row);
  std::string cell;
  for (int i = 0; i <= 5 && std::getline(cells, cell, ','); ++i) {
  }
  return std::stoull(cell);  // column 5 is "agents"
}

ordered_json spread_json(const tools::Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"cv", s.cv}};
}

ordered_json fit_json(const std::optional<engine::PowerLawFit>& f) {
  if (!f) return nullptr;
  return {{"exponent", f->exponent},
          {"ci95", {f->line.ci_low, f->line.ci_high}},
          {"r2", f->line.r2},
          {"coefficient", f->coefficient},
          {"points", f->line.n}};
}

void write_outputs(const fs::path& dir, const Scale& scale,
                   const std::vector<tools::ScaleRun>& runs,
                   const std::vector<tools::ScaleSummary>& summary, const tools::ScalingFit& fit,
                   const std::string& plot_note) {
  std::string csv = "scale,agents,seconds_per_step,peak_rss,accounted_bytes_per_agent\n";
  for (const tools::ScaleRun& r : runs) {
    char buf[160];
    std::snprintf(buf, sizeof buf, ",%llu,%.9g,%.0f,%.6g\n",
                  static_cast<unsigned long long>(r.agents), r.seconds_per_step, r.peak_rss,
                  r.accounted_per_agent);
    csv += r.scale + buf;
  }
  engine::write_file_atomically(dir / "bench_runs.csv", csv);
  std::string table =
      "scale,agents,runs,time_median,time_min,time_max,time_cv,rss_median,rss_min,rss_max,"
      "rss_cv,accounted_per_agent_median,accounted_per_agent_cv\n";
  for (const tools::ScaleSummary& s : summary) {
    char buf[400];
    std::snprintf(buf, sizeof buf, ",%llu,%zu,%.9g,%.9g,%.9g,%.4f,%.0f,%.0f,%.0f,%.4f,%.6g,%.4f\n",
                  static_cast<unsigned long long>(s.agents), s.runs, s.seconds_per_step.median,
                  s.seconds_per_step.min, s.seconds_per_step.max, s.seconds_per_step.cv,
                  s.peak_rss.median, s.peak_rss.min, s.peak_rss.max, s.peak_rss.cv,
                  s.accounted_per_agent.median, s.accounted_per_agent.cv);
    table += s.scale + buf;
  }
  engine::write_file_atomically(dir / "bench_summary.csv", table);
  ordered_json j;
  j["key"] = scale.key;
  j["scales"] = ordered_json::array();
  for (const tools::ScaleSummary& s : summary)
    j["scales"].push_back({{"scale", s.scale},
                           {"agents", s.agents},
                           {"runs", s.runs},
                           {"seconds_per_step", spread_json(s.seconds_per_step)},
                           {"peak_rss", spread_json(s.peak_rss)},
                           {"accounted_bytes_per_agent", spread_json(s.accounted_per_agent)}});
  j["fit"]["time_per_step"] = fit_json(fit.time);
  j["fit"]["peak_rss"] = fit_json(fit.memory);
  if (!fit.refusal.empty()) j["fit"]["refused"] = fit.refusal;
  j["plot"] = plot_note.empty() ? ordered_json((dir / "bench.png").string())
                                : ordered_json("skipped: " + plot_note);
  engine::write_file_atomically(dir / "bench.json", j.dump(2) + "\n");
}

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

// Peak RSS of the process with every population empty: the program, its libraries and the
// model's shared data, which do not grow with agents. 0 (fit total RSS) if that run fails.
double baseline_rss(const fs::path& self, const BenchOptions& o,
                    const std::vector<std::string>& common,
                    const std::vector<std::string>& populations, const fs::path& run_dir) {
  fs::remove_all(run_dir);
  fs::create_directories(run_dir);
  std::vector<std::string> args{"run",          o.config, "--quiet",
                                "--no-profile", "--out",  run_dir.string()};
  for (const std::string& s : common)
    args.insert(args.end(), {"--set", s});
  for (const std::string& p : populations)
    args.insert(args.end(), {"--set", "populations." + p + ".size=0"});
  args.insert(args.end(), {"--set", "steps=1"});
  for (const std::string& p : o.plugins)
    args.insert(args.end(), {"--plugin", p});
  const ChildResult r = run_child(self, args, run_dir / "log.txt");
  if (r.exit_code != kOk) {
    spdlog::warn("the baseline run (no agents) failed; fitting total RSS (see {})",
                 (run_dir / "log.txt").string());
    return 0;
  }
  return nlohmann::json::parse(read_text(run_dir / "run.json")).at("peak_rss").get<double>();
}

// Adds the memory baseline and the accounted-bytes fit to bench.json.
void write_memory_fits(const fs::path& file, double baseline, const tools::ScalingFit& fit) {
  ordered_json j = ordered_json::parse(read_text(file));
  j["baseline_rss"] = baseline;
  if (fit.memory) j["fit"]["peak_rss"]["above_baseline"] = fit.rss_baseline > 0;
  j["fit"]["peak_accounted"] = fit_json(fit.accounted);
  engine::write_file_atomically(file, j.dump(2) + "\n");
}

}  // namespace

int bench_command(const engine::ModelRegistry& registry, const BenchOptions& o) {
  const std::optional<Scale> scale = parse_scale(o.scale);
  if (!scale) {
    spdlog::error("--scale {}: expected KEY=v1,v2,... (e.g. populations.walkers.size=1000,2000)",
                  o.scale);
    return kBadInput;
  }
  if (std::set<std::string>(scale->values.begin(), scale->values.end()).size() < 3) {
    spdlog::error("--scale {}: need at least 3 distinct values to fit a power law", o.scale);
    return kBadInput;
  }
  std::vector<std::string> common = o.set;
  if (o.steps) common.push_back("steps=" + std::to_string(*o.steps));
  if (o.threads) common.push_back("threads=" + std::to_string(*o.threads));
  // Validate every variant before running anything, as `cohort run` would, and check that the
  // key changes the configured population, so a study that cannot be fitted never starts.
  std::set<std::uint64_t> sizes;
  std::vector<std::string> population_names;
  std::size_t threads = 0;
  for (const std::string& v : scale->values) {
    std::vector<std::string> sets = common;
    sets.push_back(scale->key + "=" + v);
    try {
      const engine::RunSettings s = engine::load_run_settings(registry, o.config, sets);
      std::uint64_t agents = 0;
      population_names.clear();
      for (const engine::PopulationSetup& p : s.populations) {
        agents += p.size;
        population_names.push_back(p.name);
      }
      threads = s.threads ? s.threads : std::thread::hardware_concurrency();
      sizes.insert(agents);
    } catch (const engine::ConfigError& e) {
      spdlog::error("{}", e.what());
      return kBadInput;
    }
  }
  if (sizes.size() < 3) {
    spdlog::error(
        "--scale {}: {} gives {} distinct configured population size(s); a scaling fit needs 3. "
        "Scale a population size, e.g. --scale populations.<name>.size=1000,2000,4000",
        o.scale, scale->key, sizes.size());
    return kBadInput;
  }

  const fs::path dir = o.out;
  if (const std::string refusal = claim_bench_dir(dir); !refusal.empty()) {
    spdlog::error("bench --out: {}", refusal);
    return kBadInput;
  }
  fs::create_directories(dir / "runs");
  const fs::path self = self_executable();
  const double baseline =
      baseline_rss(self, o, common, population_names, dir / "runs" / "baseline");
  std::vector<tools::ScaleRun> runs;
  const std::size_t total = scale->values.size() * o.repeat;
  for (const std::string& v : scale->values)
    for (unsigned rep = 1; rep <= o.repeat; ++rep) {
      const fs::path run_dir = dir / "runs" / (std::to_string(runs.size() + 1));
      // Each run in its own process, so its peak RSS is its own; bench runs are not profiled.
      std::vector<std::string> args{"run",          o.config, "--quiet",
                                    "--no-profile", "--out",  run_dir.string()};
      for (const std::string& s : common)
        args.insert(args.end(), {"--set", s});
      for (const std::string& p : o.plugins)
        args.insert(args.end(), {"--plugin", p});
      args.insert(args.end(), {"--set", scale->key + "=" + v});
      fs::create_directories(run_dir);
      const ChildResult r = run_child(self, args, run_dir / "log.txt");
      if (r.exit_code != kOk) {
        spdlog::error("run {}={} (repetition {}) failed with {} {}; its log: {}", scale->key, v,
                      rep, r.signal ? "signal" : "exit code", r.signal ? r.signal : r.exit_code,
                      (run_dir / "log.txt").string());
        return r.exit_code > 0 ? r.exit_code : kInternalError;
      }
      const auto run_json = nlohmann::json::parse(read_text(run_dir / "run.json"));
      tools::ScaleRun m;
      m.scale = v;
      m.agents = initial_agents(run_dir / "timeline.csv");
      m.seconds_per_step = run_json.at("seconds_per_step").get<double>();
      m.peak_rss = run_json.at("peak_rss").get<double>();
      m.accounted_per_agent = m.agents ? run_json.at("peak_accounted_held").get<double>() /
                                             static_cast<double>(m.agents)
                                       : 0;
      runs.push_back(m);
      std::fprintf(stderr,
                   "bench [%zu/%zu] %s=%s rep %u: %llu agents, %.4g ms/step, peak RSS %.1f MiB, "
                   "%.1f accounted B/agent\n",
                   runs.size(), total, scale->key.c_str(), v.c_str(), rep,
                   static_cast<unsigned long long>(m.agents), 1e3 * m.seconds_per_step,
                   m.peak_rss / 1048576, m.accounted_per_agent);
    }

  const std::vector<tools::ScaleSummary> summary = tools::summarise_scales(runs);
  const tools::ScalingFit fit = tools::fit_scaling(runs, baseline);
  const std::string title = "cohort bench " + fs::path(o.config).filename().string() + ", " +
                            std::to_string(threads) + " thread(s): population scaling";
  std::string plot_note =
      fit.refusal.empty() ? plot_scaling(summary, fit, dir / "bench.png", title, fit.rss_baseline)
                          : "no fit (" + fit.refusal + ")";
  write_outputs(dir, *scale, runs, summary, fit, plot_note);
  write_memory_fits(dir / "bench.json", baseline, fit);
  if (!fit.refusal.empty()) {
    spdlog::error("not fitting: {}; measurements are in {}", fit.refusal,
                  (dir / "bench_runs.csv").string());
    return kBadInput;
  }
  log_fit("time per step", fit.time);
  log_fit("peak RSS above the baseline", fit.memory);
  log_fit("peak accounted bytes", fit.accounted);
  if (!plot_note.empty()) spdlog::warn("plot skipped: {}", plot_note);
  spdlog::info("results in {} (bench.json, bench_summary.csv, bench_runs.csv{})", dir.string(),
               plot_note.empty() ? ", bench.png" : "");
  return kOk;
}

}  // namespace cohort::cli
