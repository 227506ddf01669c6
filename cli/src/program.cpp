// The `cohort` command line: subcommands, their options, plugin loading and dispatch.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "bench_command.hpp"
#include "cohort/cli/main.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/version.hpp"
#include "cohort/memory/process_memory.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "memory_demo.hpp"
#include "mpi_launch.hpp"
#include "plot_command.hpp"
#include "plugin_loader.hpp"
#include "profiles_command.hpp"
#include "sweep_command.hpp"

namespace cohort {

namespace {

namespace fs = std::filesystem;

void add_config_options(CLI::App& cmd, cli::RunOptions& o) {
  cmd.add_option("config", o.config, "YAML run configuration")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--set", o.set, "Override a config key: --set key.path=value (repeatable)");
  cmd.add_option("--steps", o.steps, "Override steps");
  cmd.add_option("--threads", o.threads, "Override threads (0 = all hardware threads)");
  cmd.add_option("--seed", o.seed, "Override the random seed");
  cmd.add_option("--out", o.out,
                 "Override the output directory (relative to the working directory)");
}

void add_run_options(CLI::App& cmd, cli::RunOptions& o) {
  add_config_options(cmd, o);
  cmd.add_option("--resume", o.resume, "Continue from a checkpoint written by the same config")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--quiet", o.quiet, "No progress display or memory report in the log");
  cmd.add_flag("--fail-on-leak", o.fail_on_leak,
               "Exit 6 when the memory monitor detects a leak (see monitor.leak)");
  cmd.add_option("--profiles", o.profiles,
                 "Profile store directory (default $XDG_CACHE_HOME/cohort/profiles)");
  cmd.add_option("--name", o.name, "Run name in the profile (default: the config file's name)");
  cmd.add_flag("--no-profile", o.no_profile, "Do not record a run profile");
}

void add_plugin_option(CLI::App& cmd, std::vector<std::string>& plugins) {
  cmd.add_option("--plugin", plugins,
                 "Load a shared library that adds models (repeatable; see `plugins:` in a config)");
}

void add_bench(CLI::App& app, cli::BenchOptions& o) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Population-scale study: run a config at several sizes, fit time and memory laws");
  bench->add_option("config", o.config, "YAML run configuration")
      ->required()
      ->check(CLI::ExistingFile);
  bench
      ->add_option("--scale", o.scales,
                   "A key to scale and its values: KEY=v1,v2,... (at least 3 values; a list "
                   "value is written [a,b]). Repeat to scale keys together: the options are "
                   "zipped (value i of each makes run configuration i) and must give as many "
                   "values each")
      ->required()
      ->allow_extra_args(false);  // one KEY=values per --scale; a word after it is the config
  bench->add_option("--agents-metric", o.agents_metric,
                    "Count the agents as this metric's step-0 value (a column of metrics.csv), "
                    "for models whose entities are not agents (ForestFire: trees)");
  bench->add_option("--repeat", o.repeat, "Runs per scale value (each its own process)")
      ->check(CLI::Range(1u, 1000u));
  bench->add_option("--steps", o.steps, "Override steps");
  bench->add_option("--threads", o.threads, "Override threads");
  bench->add_option("--out", o.out, "Output directory");
  bench->add_option("--set", o.set, "Override a config key in every run (repeatable)");
  add_plugin_option(*bench, o.plugins);
}

void add_sweep(CLI::App& app, cli::SweepOptions& o) {
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Parameter sweep: run a config over a grid or list of designs, with replicates");
  sweep->add_option("config", o.config, "YAML run configuration")
      ->required()
      ->check(CLI::ExistingFile);
  sweep->add_option("--grid", o.grid, "A key and its values: KEY=v1,v2,... (repeatable; crossed)");
  sweep->add_option("--list", o.list, "CSV of designs: a header of keys, one design per row")
      ->check(CLI::ExistingFile);
  sweep->add_option("--replicates", o.replicates, "Runs per design, seeds derived from the seed")
      ->check(CLI::Range(1u, 10000u));
  sweep->add_option("--jobs", o.jobs, "Runs at once (each its own process)")
      ->check(CLI::Range(1u, 1024u));
  sweep->add_option("--out", o.out, "Output directory");
  sweep->add_option("--steps", o.steps, "Override steps");
  sweep->add_option("--threads", o.threads, "Threads of each run");
  sweep->add_option("--set", o.set, "Override a config key in every run (repeatable)");
  sweep->add_flag("--resume", o.resume, "Keep the runs that finished in --out; run the rest");
  add_plugin_option(*sweep, o.plugins);
}

void add_profiles(CLI::App& app, cli::ProfilesOptions& prof) {
  CLI::App* profiles = app.add_subcommand("profiles", "Run history: list, show, compare, trend");
  profiles->require_subcommand(1);
  profiles->add_option("--profiles", prof.dir,
                       "Profile store directory (default $XDG_CACHE_HOME/cohort/profiles)");
  profiles
      ->add_option("--tolerance", prof.tolerance,
                   "Worse than the baseline by more than this fraction is a regression")
      ->check(CLI::Range(0.0, 100.0));
  profiles->add_option("--baseline", prof.baseline, "trend: earlier runs in the baseline median")
      ->check(CLI::Range(1u, 1000u));
  profiles->add_flag("--fail-on-regression", prof.fail_on_regression, "Exit 7 on a regression");
  profiles->add_subcommand("list", "List stored profiles, oldest first");
  profiles->add_subcommand("show", "Print one profile")->add_option("id", prof.first)->required();
  CLI::App* compare = profiles->add_subcommand("compare", "Compare run B against run A");
  compare->add_option("a", prof.first, "Baseline profile id")->required();
  compare->add_option("b", prof.second, "Candidate profile id")->required();
  profiles->add_subcommand("trend", "Runs of NAME over time; the latest against its baseline")
      ->add_option("name", prof.first)
      ->required();
}

void add_memory_demo(CLI::App& app, cli::MemoryDemoOptions& demo) {
  CLI::App* cmd = app.add_subcommand(
      "memory-demo",
      "The memory layer alone: synthetic agents append history under per-agent budgets (some "
      "refused); prints the memory report");
  cmd->add_option("--agents", demo.agents, "Number of agents")->check(CLI::Range(1u, 10000000u));
  cmd->add_option("--steps", demo.steps, "Steps to run")->check(CLI::Range(1u, 100000u));
  cmd->add_option("--budget", demo.budget_bytes, "Hard budget per agent in bytes")
      ->check(CLI::Range(64u, 1u << 30));
  cmd->add_option("--seed", demo.seed, "Random seed");
  cmd->add_option("--json", demo.json_out, "Where to write the JSON memory report");
}

// The first word that is not an option (or an option's value): the subcommand the user meant.
std::string first_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--log-level") {
      ++i;
      continue;
    }
    if (!a.starts_with("-")) return a;
  }
  return {};
}

// CLI11 reports an unknown subcommand as "A subcommand is required"; say what is wrong instead.
bool reject_unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const std::string word = first_word(argc, argv);
  if (word.empty()) return false;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return false;
  std::string list;
  for (const std::string& n : names)
    list += (list.empty() ? "" : ", ") + n;
  const std::string guess = engine::nearest(word, names);
  std::fprintf(stderr, "cohort: unknown subcommand '%s'%s; the subcommands are: %s (see --help)\n",
               word.c_str(), guess.empty() ? "" : ("; did you mean '" + guess + "'?").c_str(),
               list.c_str());
  return true;
}

// Plugins named on the command line and in the config (relative to the config file).
int load_plugins(engine::ModelRegistry& registry, const std::vector<std::string>& flags,
                 const std::string& config, const std::vector<std::string>& sets) {
  try {
    std::vector<fs::path> files(flags.begin(), flags.end());
    if (!config.empty())
      for (const fs::path& p : engine::config_plugins(config, sets))
        files.push_back(p);
    cli::load_plugins(files, registry);
    return cli::kOk;
  } catch (const engine::ConfigError& e) {
    spdlog::error("{}", e.what());
  } catch (const cli::PluginError& e) {
    spdlog::error("{}", e.what());
  }
  return cli::kBadInput;
}

// Runs `body`, turning an escaped exception into a logged error and `code`.
template <class Body>
int reporting(const char* what, int code, Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    spdlog::error("{}: {}", what, e.what());
    return code;
  }
}

}  // namespace

int main(int argc, char** argv, engine::ModelRegistry& registry) {
  // Freed large blocks leave the RSS at once, so memory.json's RSS checks see what is held.
  memory::map_large_blocks_separately();
  const cli::MpiLaunch mpi(argc, argv);  // MPI only when started by mpirun or srun
  CLI::App app{"cohort: agent-based simulation with pooled, budgeted, truthfully reported memory"};
  app.set_version_flag("--version", std::string("cohort ") + COHORT_VERSION_STRING);
  app.require_subcommand(1);
  app.footer(cli::exit_codes_footer());
  // Subcommands show the defaults in --help and accept the program's --log-level after them.
  app.option_defaults()->always_capture_default();
  app.fallthrough();
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  cli::RunOptions run_opts, validate_opts;
  std::vector<std::string> run_plugins, validate_plugins, models_plugins;
  CLI::App* run = app.add_subcommand("run", "Run a simulation from a YAML config");
  add_run_options(*run, run_opts);
  add_plugin_option(*run, run_plugins);
  CLI::App* validate =
      app.add_subcommand("validate", "Check a YAML config (and overrides) without running it");
  add_config_options(*validate, validate_opts);
  add_plugin_option(*validate, validate_plugins);
  cli::BenchOptions bench_opts;
  add_bench(app, bench_opts);
  cli::SweepOptions sweep_opts;
  add_sweep(app, sweep_opts);
  cli::ProfilesOptions prof;
  add_profiles(app, prof);
  std::string model_name;
  CLI::App* models =
      app.add_subcommand("models", "List the models with their parameters, or one model");
  models->add_option("name", model_name, "Show only this model");
  add_plugin_option(*models, models_plugins);
  cli::PlotOptions plot_opts;
  CLI::App* plot = app.add_subcommand("plot", "Draw PNGs of a run's metrics and memory timeline");
  plot->add_option("dir", plot_opts.dir, "The run's output directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  plot->add_option("--color", plot_opts.color,
                   "Snapshot column that colours the agents in positions_<population>.png");
  cli::MemoryDemoOptions demo;
  add_memory_demo(app, demo);

  if (reject_unknown_subcommand(app, argc, argv)) return cli::kBadInput;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kOk : cli::kBadInput;
  }
  if (spdlog::get("cohort") == nullptr)
    spdlog::set_default_logger(spdlog::stderr_color_mt("cohort"));
  spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(log_level));

  const CLI::App* chosen = app.get_subcommands().front();
  if (chosen == run) {
    if (const int rc = load_plugins(registry, run_plugins, run_opts.config, run_opts.set))
      return rc;
    return cli::run_command(registry, run_opts);
  }
  if (chosen == validate) {
    if (const int rc =
            load_plugins(registry, validate_plugins, validate_opts.config, validate_opts.set))
      return rc;
    return cli::validate_command(registry, validate_opts);
  }
  if (chosen == models) {
    if (const int rc = load_plugins(registry, models_plugins, {}, {})) return rc;
    return cli::models_command(registry, model_name);
  }
  if (chosen->get_name() == "bench") {
    if (const int rc =
            load_plugins(registry, bench_opts.plugins, bench_opts.config, bench_opts.set))
      return rc;
    return reporting("bench", cli::kIoError,
                     [&] { return cli::bench_command(registry, bench_opts); });
  }
  if (chosen->get_name() == "sweep") {
    if (const int rc =
            load_plugins(registry, sweep_opts.plugins, sweep_opts.config, sweep_opts.set))
      return rc;
    return reporting("sweep", cli::kIoError,
                     [&] { return cli::sweep_command(registry, sweep_opts); });
  }
  if (chosen->get_name() == "profiles") {
    prof.action = chosen->get_subcommands().front()->get_name();
    return cli::profiles_command(prof);
  }
  if (chosen == plot)
    return reporting("plot", cli::kIoError, [&] { return cli::plot_command(plot_opts); });
  if (chosen->get_name() == "memory-demo")
    return reporting("memory-demo", cli::kIoError, [&] { return cli::run_memory_demo(demo); });
  return cli::kOk;
}

}  // namespace cohort
