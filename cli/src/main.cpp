// The `cohort` command line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "bench_command.hpp"
#include "cohort/models/builtin.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "memory_demo.hpp"
#include "profiles_command.hpp"

namespace {

void add_run_options(CLI::App& cmd, cohort::cli::RunOptions& o, bool run) {
  cmd.add_option("config", o.config, "YAML run configuration")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--set", o.set, "Override a config key: --set key.path=value (repeatable)");
  cmd.add_option("--steps", o.steps, "Override steps");
  cmd.add_option("--threads", o.threads, "Override threads (0 = all hardware threads)");
  cmd.add_option("--seed", o.seed, "Override the random seed");
  cmd.add_option("--out", o.out, "Override the output directory");
  if (!run) return;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cohort: agent-based simulation with pooled, budgeted, truthfully reported memory"};
  app.set_version_flag("--version", std::string("cohort ") + COHORT_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 bad command line or config, 3 memory budget "
      "refusal, 4 I/O or checkpoint error, 5 interrupted (checkpoint written). 6 memory leak "
      "detected (run --fail-on-leak). 7 regression (profiles --fail-on-regression). 8 out of "
      "memory (the system refused an allocation).");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  cohort::cli::RunOptions run_opts;
  CLI::App* run = app.add_subcommand("run", "Run a simulation from a YAML config");
  add_run_options(*run, run_opts, true);
  cohort::cli::RunOptions validate_opts;
  CLI::App* validate =
      app.add_subcommand("validate", "Check a YAML config (and overrides) without running it");
  add_run_options(*validate, validate_opts, false);
  cohort::cli::BenchOptions bench_opts;
  CLI::App* bench = app.add_subcommand(
      "bench", "Population-scale study: run a config at several sizes, fit time and memory laws");
  bench->add_option("config", bench_opts.config, "YAML run configuration")
      ->required()
      ->check(CLI::ExistingFile);
  bench
      ->add_option("--scale", bench_opts.scale,
                   "The key to scale and its values: KEY=v1,v2,... (at least 3 values)")
      ->required();
  bench->add_option("--repeat", bench_opts.repeat, "Runs per scale value (each its own process)")
      ->check(CLI::Range(1u, 1000u));
  bench->add_option("--steps", bench_opts.steps, "Override steps");
  bench->add_option("--threads", bench_opts.threads, "Override threads");
  bench->add_option("--out", bench_opts.out, "Output directory (default out/bench)");
  bench->add_option("--set", bench_opts.set, "Override a config key in every run (repeatable)");
  cohort::cli::ProfilesOptions prof;
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
  profiles->fallthrough();
  profiles->add_subcommand("list", "List stored profiles, oldest first");
  profiles->add_subcommand("show", "Print one profile")->add_option("id", prof.first)->required();
  CLI::App* compare = profiles->add_subcommand("compare", "Compare run B against run A");
  compare->add_option("a", prof.first, "Baseline profile id")->required();
  compare->add_option("b", prof.second, "Candidate profile id")->required();
  profiles->add_subcommand("trend", "Runs of NAME over time; the latest against its baseline")
      ->add_option("name", prof.first)
      ->required();
  CLI::App* models = app.add_subcommand("models", "List the models with their parameters");
  cohort::cli::MemoryDemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "memory-demo",
      "Allocate history for synthetic agents under budgets; print the memory report");
  demo_cmd->add_option("--agents", demo.agents, "Number of agents")
      ->check(CLI::Range(1u, 10000000u));
  demo_cmd->add_option("--steps", demo.steps, "Steps to run")->check(CLI::Range(1u, 100000u));
  demo_cmd->add_option("--budget", demo.budget_bytes, "Hard budget per agent in bytes")
      ->check(CLI::Range(64u, 1u << 30));
  demo_cmd->add_option("--seed", demo.seed, "Random seed");
  demo_cmd->add_option("--json", demo.json_out, "Where to write the JSON memory report");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cohort::cli::kOk : cohort::cli::kBadInput;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("cohort"));
  spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(log_level));

  cohort::engine::ModelRegistry registry;
  cohort::models::register_builtin_models(registry);
  if (*run) return cohort::cli::run_command(registry, run_opts);
  if (*validate) return cohort::cli::validate_command(registry, validate_opts);
  if (*models) return cohort::cli::models_command(registry);
  if (*profiles) {
    prof.action = profiles->get_subcommands().front()->get_name();
    return cohort::cli::profiles_command(prof);
  }
  if (*bench) {
    try {
      return cohort::cli::bench_command(registry, bench_opts);
    } catch (const std::exception& e) {
      spdlog::error("bench: {}", e.what());
      return cohort::cli::kIoError;
    }
  }
  if (*demo_cmd) {
    try {
      return cohort::cli::run_memory_demo(demo);
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return cohort::cli::kIoError;
    }
  }
  return cohort::cli::kOk;
}
