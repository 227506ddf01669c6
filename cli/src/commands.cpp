#include "commands.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/tools/profile_store.hpp"
#include "exit_codes.hpp"
#include "progress_display.hpp"
#include "run_profile.hpp"

namespace cohort::cli {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void request_stop(int) {
  g_stop.store(true);
}

// Command-line flags are overrides like any --set, applied after the user's --set list.
std::vector<std::string> overrides_of(const RunOptions& o) {
  std::vector<std::string> all = o.set;
  if (o.steps) all.push_back("steps=" + std::to_string(*o.steps));
  if (o.threads) all.push_back("threads=" + std::to_string(*o.threads));
  if (o.seed) all.push_back("seed=" + std::to_string(*o.seed));
  if (o.out) all.push_back("output.dir=" + *o.out);
  return all;
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
    spdlog::error("{}", e.what());
    return kBudgetRefusal;
  } catch (const engine::CheckpointError& e) {
    spdlog::error("{}", e.what());
    return kIoError;
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::error("{}", e.what());
    return kIoError;
  } catch (const std::exception& e) {
    spdlog::error("internal error: {}", e.what());
    return kInternalError;
  }
}

void log_alert(const engine::AlertEvent& e) {
  const auto level = e.level == "critical"  ? spdlog::level::err
                     : e.level == "warning" ? spdlog::level::warn
                                            : spdlog::level::info;
  spdlog::log(level, "memory alert at step {}: {} {} {} threshold ({:.4g} vs {:.4g})", e.step,
              e.metric, e.raised ? "crossed the" : "fell back below the", e.level, e.value,
              e.threshold);
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
      spdlog::info("alert: step {} {} {} ({:.4g} >= {:.4g})", e.step, e.metric, e.level, e.value,
                   e.threshold);
    }
  const engine::LeakAnalysis accounted = monitor.accounted_leak();
  const engine::LeakAnalysis rss = monitor.rss_leak();
  spdlog::info("monitor: {} samples, {} alerts; leak check accounted: {} ({}); rss: {} ({})",
               monitor.samples().size(), raised, engine::to_string(accounted.verdict),
               accounted.reason, engine::to_string(rss.verdict), rss.reason);
  if (!monitor.leak_detected()) return kOk;
  spdlog::warn("memory leak detected (details in run.json and timeline.csv)");
  return fail_on_leak ? kLeakDetected : kOk;
}

}  // namespace

int run_command(const engine::ModelRegistry& registry, const RunOptions& options) {
  return guarded([&] {
    engine::RunSettings settings =
        engine::load_run_settings(registry, options.config, overrides_of(options));
    spdlog::info("model {}: {} steps, seed {}, output {}", settings.model, settings.steps,
                 settings.seed, settings.out_dir.string());
    engine::Simulation sim(registry, std::move(settings));
    if (options.resume) {
      sim.resume(*options.resume);
      spdlog::info("resumed from {} at step {}", *options.resume, sim.world().step());
    }
    sim.monitor().on_alert([](const engine::AlertEvent& e) { log_alert(e); });
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    ProgressDisplay display(::isatty(STDERR_FILENO) != 0, options.quiet);
    const engine::RunEnd end =
        sim.run(g_stop, [&](const engine::Progress& p) { display.update(p); });
    display.finish();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    const std::string report = sim.write_outputs();
    if (!options.quiet) spdlog::info("\n{}", report);
    if (end == engine::RunEnd::interrupted) {
      spdlog::warn(
          "interrupted at step {}; checkpoint written to {}; continue with: cohort run {} "
          "--resume {}{}",
          sim.world().step(), sim.checkpoint_path().string(), options.config,
          sim.checkpoint_path().string(), options.out ? " --out " + *options.out : "");
      return kInterrupted;
    }
    spdlog::info("done: {} steps; outputs in {}", sim.world().step(),
                 sim.settings().out_dir.string());
    record_profile(options, sim.settings().out_dir);
    return report_monitor(sim.monitor(), options.fail_on_leak);
  });
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
