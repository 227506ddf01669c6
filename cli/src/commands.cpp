#include "commands.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string_view>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_outputs.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/tools/profile_store.hpp"
#include "exit_codes.hpp"
#include "mpi_launch.hpp"
#include "progress_display.hpp"
#include "run_profile.hpp"

namespace cohort::cli {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void request_stop(int) {
  g_stop.store(true);
}

// For the whole of `cohort run`, from reading the config to the last output file: a stop asks
// the run to end at the next safe point (after the model is built, after the checkpoint is
// read, between steps, after the outputs are written) with a checkpoint. SA_RESETHAND makes a
// second signal act as if unhandled: an impatient user can still kill a run at once.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP})
    sigaction(sig, &action, nullptr);
}

// Tests need a signal at an exact point of a run's life: COHORT_TEST_RAISE_AT=build, resume or
// outputs raises SIGTERM just before that phase, so it is pending while the phase runs.
void test_signal_point(std::string_view phase) {
  const char* at = std::getenv("COHORT_TEST_RAISE_AT");
  if (at != nullptr && phase == at) std::raise(SIGTERM);
}

// Command-line flags are overrides like any --set, applied after the user's --set list.
std::vector<std::string> overrides_of(const RunOptions& o) {
  std::vector<std::string> all = o.set;
  if (o.steps) all.push_back("steps=" + *o.steps);
  if (o.threads) all.push_back("threads=" + *o.threads);
  if (o.seed) all.push_back("seed=" + *o.seed);
  if (o.out) {
    // A path is a string whatever it looks like ("#x", "[a]", "yes"): quote it for YAML.
    YAML::Emitter quoted;
    quoted << YAML::DoubleQuoted << *o.out;
    all.push_back("output.dir=" + std::string(quoted.c_str()));
  }
  return all;
}

// Models throw BudgetExceeded for any failed charge; one marked out_of_memory (or, from code that
// reports no refusal at all, an empty one) is the system allocator failing
// (ChargeStatus::upstream_failed), not an agent's budget.
bool system_failure(const memory::BudgetExceeded& e) {
  return e.refusal().out_of_memory || (e.refusal().account_path.empty() && e.refusal().limit == 0);
}

int report_out_of_memory() {
  spdlog::error(
      "out of memory: the system could not provide an allocation (this is not a budget refusal). "
      "Remedy: fewer agents or steps, smaller per-agent budgets, or a machine with more memory; "
      "`cohort validate` shows the configured sizes");
  return kOutOfMemory;
}

// Runs `body`, turning the engine's typed errors into messages and exit codes.
template <class Body>
int guarded(Body&& body) {
  try {
    return body();
  } catch (const engine::ConfigError& e) {
    spdlog::error("{}", e.what());
    return kBadInput;
  } catch (const memory::BudgetExceeded& e) {
    if (system_failure(e)) return report_out_of_memory();
    spdlog::error("{}", e.what());
    return kBudgetRefusal;
  } catch (const std::bad_alloc&) {
    return report_out_of_memory();
  } catch (const engine::OutputFolderError& e) {
    spdlog::error("{}", e.what());
    return kIoError;
  } catch (const engine::CheckpointError& e) {
    spdlog::error("{}", e.what());
    return kIoError;
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::error("{}", e.what());
    return kIoError;
  } catch (const std::length_error& e) {
    // A population past AgentId::kMaxIndex agents: a capacity refusal, not a bug.
    spdlog::error("{}", e.what());
    return kBudgetRefusal;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return kInternalError;
  }
}

void log_alert(const engine::AlertEvent& e) {
  const auto level = e.level == engine::AlertLevel::critical  ? spdlog::level::err
                     : e.level == engine::AlertLevel::warning ? spdlog::level::warn
                                                              : spdlog::level::info;
  spdlog::log(level, "memory alert at step {}: {} {} {} threshold ({:.4g} vs {:.4g})", e.step,
              e.metric, e.raised ? "crossed the" : "fell back below the",
              engine::to_string(e.level), e.value, e.threshold);
}

// Appends the run's profile to the store; a failure is reported but does not fail the run.
void record_profile(const RunOptions& o, const std::filesystem::path& out_dir) {
  if (o.no_profile) return;
  const tools::ProfileStore store(o.profiles.empty() ? tools::ProfileStore::default_dir()
                                                     : std::filesystem::path(o.profiles));
  const std::string name =
      o.name.empty() ? std::filesystem::path(o.config).stem().string() : o.name;
  try {
    const std::string id = store.append(build_run_profile(name, out_dir));
    spdlog::info("profile {} recorded in {}", id, store.dir().string());
  } catch (const std::exception& e) {
    spdlog::warn("run profile not recorded: {}", e.what());
  }
}

// The run summary of the monitor: alerts raised and both leak verdicts; the exit code.
ExitCode report_monitor(const engine::RunMonitor& monitor, bool fail_on_leak) {
  std::size_t raised = 0;
  for (const engine::AlertEvent& e : monitor.alerts())
    if (e.raised) {
      ++raised;
      spdlog::info("alert: step {} {} {} ({:.4g} >= {:.4g})", e.step, e.metric,
                   engine::to_string(e.level), e.value, e.threshold);
    }
  const engine::LeakAnalysis accounted = monitor.accounted_leak();
  const engine::LeakAnalysis rss = monitor.rss_leak();
  spdlog::info("monitor: {} samples, {} alerts; leak check accounted: {} ({}); rss: {} ({})",
               monitor.samples().size(), raised, engine::to_string(accounted.verdict),
               accounted.reason, engine::to_string(rss.verdict), rss.reason);
  for (const auto& [column, analysis] : monitor.rank_leaks())
    if (analysis.verdict == engine::LeakVerdict::leak)
      spdlog::info("leak check {}: leak ({})", column, analysis.reason);
  if (!monitor.leak_detected()) return kOk;
  spdlog::warn("memory leak detected (details in run.json and timeline.csv)");
  return fail_on_leak ? kLeakDetected : kOk;
}

}  // namespace

// run.json for a run that ended with an error; a failure to write it must not hide the error.
void record_end(engine::RunOutputs* outputs, engine::Simulation* sim, engine::RunStatus status,
                const std::string& error) noexcept {
  try {
    if (sim != nullptr)
      sim->write_run_status(status, error);
    else if (outputs != nullptr)
      outputs->write_run_json(status, {{"error", error}});
  } catch (const std::exception& e) {
    spdlog::warn("run.json not updated: {}", e.what());
  }
}

int run_command(const engine::ModelRegistry& registry, const RunOptions& run_options) {
  install_stop_handlers();
  std::optional<RankScratch> scratch;  // outlives the outputs that lock it
  std::unique_ptr<engine::RunOutputs> outputs;
  std::unique_ptr<engine::Simulation> sim;
  RunOptions options = run_options;
  return end_across_ranks(guarded([&] {
    engine::RunSettings settings =
        engine::load_run_settings(registry, options.config, overrides_of(options));
    if (auto ranks = launch_ranks()) {
      // One run over several ranks: rank 0 writes the run's folder and logs; the others write
      // their (identical) reduced outputs into a scratch folder removed at the end.
      if (ranks->rank() != 0) {
        scratch.emplace();
        settings.out_dir = scratch->path();
        options.quiet = true;
        options.no_profile = true;
        spdlog::set_level(spdlog::level::warn);
      }
      settings.ranks = std::move(ranks);
    }
    spdlog::info("model {}: {} steps, seed {}, output {}", settings.model, settings.steps,
                 settings.seed, settings.out_dir.string());
    // The folder is checked and locked before anything is built: a bad --out fails at once.
    outputs = std::make_unique<engine::RunOutputs>(settings);
    try {
      test_signal_point("build");
      sim = std::make_unique<engine::Simulation>(registry, std::move(settings));
      if (options.resume) {
        test_signal_point("resume");
        sim->resume(*options.resume);
        spdlog::info("resumed from {} at step {}", *options.resume, sim->world().step());
      }
      sim->stream_outputs_to(*outputs);
      sim->monitor().on_alert([](const engine::AlertEvent& e) { log_alert(e); });
      ProgressDisplay display(::isatty(STDERR_FILENO) != 0, options.quiet);
      const engine::RunEnd end =
          sim->run(g_stop, [&](const engine::Progress& p) { display.update(p); });
      display.finish();
      const bool interrupted = end == engine::RunEnd::interrupted;
      test_signal_point("outputs");
      const std::string report = sim->write_outputs(interrupted ? engine::RunStatus::interrupted
                                                                : engine::RunStatus::completed);
      if (!options.quiet) spdlog::info("\n{}", report);
      if (interrupted) {
        spdlog::warn(
            "interrupted at step {}; checkpoint written to {}; continue with: cohort run {} "
            "--resume {}",
            sim->world().step(), sim->checkpoint_path().string(), options.config,
            sim->checkpoint_path().string());
        return kInterrupted;
      }
      spdlog::info("done: {} steps; outputs in {}", sim->world().step(),
                   sim->settings().out_dir.string());
      if (g_stop.load()) {
        // The stop came after the last step: the outputs above are complete and final.
        spdlog::warn(
            "interrupted while the final outputs were written; they were written in full (all "
            "{} steps ran), so no checkpoint is needed",
            sim->world().step());
        return kInterrupted;
      }
      record_profile(options, sim->settings().out_dir);
      return report_monitor(sim->monitor(), options.fail_on_leak);
    } catch (const memory::BudgetExceeded& e) {
      record_end(outputs.get(), sim.get(),
                 system_failure(e) ? engine::RunStatus::failed : engine::RunStatus::refused,
                 system_failure(e) ? "out of memory" : e.what());
      throw;
    } catch (const std::bad_alloc&) {
      record_end(outputs.get(), sim.get(), engine::RunStatus::failed, "out of memory");
      throw;
    } catch (const std::exception& e) {
      record_end(outputs.get(), sim.get(), engine::RunStatus::failed, e.what());
      throw;
    }
  }));
}

int validate_command(const engine::ModelRegistry& registry, const RunOptions& options) {
  return guarded([&] {
    const engine::RunSettings s =
        engine::load_run_settings(registry, options.config, overrides_of(options));
    std::printf("%s is valid: model %s, %llu steps, seed %llu\n", options.config.c_str(),
                s.model.c_str(), static_cast<unsigned long long>(s.steps),
                static_cast<unsigned long long>(s.seed));
    for (const engine::PopulationSetup& p : s.populations)
      std::printf("  population %s: %llu agents\n", p.name.c_str(),
                  static_cast<unsigned long long>(p.size));
    return kOk;
  });
}

int models_command(const engine::ModelRegistry& registry, const std::string& name) {
  if (!name.empty() && registry.find(name) == nullptr) {
    const std::string guess = engine::nearest(name, registry.names());
    spdlog::error("no model named '{}'{}; `cohort models` lists them", name,
                  guess.empty() ? "" : "; did you mean '" + guess + "'?");
    return kBadInput;
  }
  for (const engine::ModelInfo& m : registry.all()) {
    if (!name.empty() && m.name != name) continue;
    std::printf("%s\n  %s\n  populations:\n", m.name.c_str(), m.description.c_str());
    for (const engine::PopulationDecl& p : m.populations)
      std::printf("    %s (default size %lld): %s\n", p.name.c_str(),
                  static_cast<long long>(p.default_size), p.help.c_str());
    std::printf("  parameters:\n%s\n", engine::render_help(m.parameters, 4).c_str());
  }
  return kOk;
}

}  // namespace cohort::cli
