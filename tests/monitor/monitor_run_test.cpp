// The memory monitor on whole runs of test models: the leaking model is flagged, the steady and
// grow-then-shrink ones are not; timeline.csv and run.json carry the samples and verdicts;
// thresholds in the config raise alerts; bad thresholds are config errors.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "support/temp_dir.hpp"
#include "test_models.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;

namespace {

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg;
    cohort::testing::register_monitor_test_models(reg);
    return reg;
  }();
  return r;
}

// Settings for `model` run 200 steps on one thread, sampled every 5 steps, plus `extra` YAML.
RunSettings settings_for(const cohort::testing::TempDir& dir, const std::string& model,
                         const std::vector<std::string>& sets = {}) {
  const fs::path file = dir / "run.yaml";
  std::ofstream(file) << "model: " << model
                      << "\nsteps: 200\nthreads: 1\noutput: {dir: " << (dir / "out").string()
                      << "}\nmonitor: {every: 5}\n";
  return load_run_settings(registry(), file, sets);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `model` to the end and writes its outputs.
std::unique_ptr<Simulation> run(const cohort::testing::TempDir& dir, const std::string& model,
                                const std::vector<std::string>& sets = {}) {
  auto sim = std::make_unique<Simulation>(registry(), settings_for(dir, model, sets));
  const std::atomic<bool> stop{false};
  REQUIRE(sim->run(stop, {}) == RunEnd::completed);
  sim->write_outputs();
  return sim;
}

}  // namespace

TEST_CASE("the leaking test model is flagged as a leak of accounted bytes") {
  cohort::testing::TempDir dir("cohort_monitor");
  const auto sim = run(dir, "leaky");
  const LeakAnalysis a = sim->monitor().accounted_leak();
  CHECK(a.verdict == LeakVerdict::leak);
  CHECK(a.fit.slope == doctest::Approx(8000));  // 1000 agents x 8 bytes a step
  CHECK(sim->monitor().leak_detected());
  const nlohmann::json run_json = nlohmann::json::parse(read_text(dir / "out" / "run.json"));
  CHECK(run_json["monitor"]["leak"]["detected"] == true);
  CHECK(run_json["monitor"]["leak"]["accounted"]["verdict"] == "leak");
}

TEST_CASE("the steady test model is not flagged") {
  cohort::testing::TempDir dir("cohort_monitor");
  const auto sim = run(dir, "steady");
  CHECK(sim->monitor().accounted_leak().verdict == LeakVerdict::no_leak);
#ifndef COHORT_SANITIZED  // the sanitizer's quarantine makes RSS grow on its own
  CHECK_MESSAGE(!sim->monitor().leak_detected(), sim->monitor().rss_leak().reason);
#endif
}

TEST_CASE("a test model whose memory grows then shrinks is not flagged") {
  cohort::testing::TempDir dir("cohort_monitor");
  const auto sim = run(dir, "tide");
  const LeakAnalysis a = sim->monitor().accounted_leak();
  CHECK(a.verdict == LeakVerdict::no_leak);
#ifndef COHORT_SANITIZED
  CHECK_MESSAGE(!sim->monitor().leak_detected(), sim->monitor().rss_leak().reason);
#endif
}

TEST_CASE("a short run has too few samples for a verdict and says so") {
  cohort::testing::TempDir dir("cohort_monitor");
  const auto sim = run(dir, "leaky", {"steps=30"});
  CHECK(sim->monitor().accounted_leak().verdict == LeakVerdict::insufficient_data);
  CHECK_FALSE(sim->monitor().leak_detected());
}

TEST_CASE("timeline.csv has a row per sample with per-population and per-tag bytes") {
  cohort::testing::TempDir dir("cohort_monitor");
  run(dir, "leaky");
  const std::string csv = read_text(dir / "out" / "timeline.csv");
  CHECK(csv.rfind("step,wall_seconds,rss,accounted_used,accounted_held,agents,over_soft_share,",
                  0) == 0);
  CHECK(csv.find("pop:agents") != std::string::npos);
  CHECK(csv.find("tag:test_data") != std::string::npos);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 41);  // header + steps 0, 5, ..., 200
}

TEST_CASE("thresholds on accounted bytes and the soft-budget share raise alerts once") {
  cohort::testing::TempDir dir("cohort_monitor");
  // Agents start at 64 B each plus column storage and grow 8 B a step; the soft limit (900 B)
  // is crossed near step 105.
  const auto sim =
      run(dir, "leaky",
          {"monitor.limit=1MiB", "monitor.alerts.accounted.info=100KiB",
           "monitor.alerts.accounted.warning=50%", "monitor.alerts.over_soft_share.critical=50%",
           "populations.agents.budget.hard=1000B"});
  const std::vector<AlertEvent>& alerts = sim->monitor().alerts();
  REQUIRE(alerts.size() == 3);
  CHECK(alerts[0].metric == "accounted");
  CHECK(alerts[0].level == "info");
  CHECK(alerts[0].threshold == 100 * 1024);
  CHECK(alerts[1].level == "warning");
  CHECK(alerts[1].threshold == 512 * 1024);
  CHECK(alerts[2].metric == "over_soft_share");
  CHECK(alerts[2].level == "critical");
  const nlohmann::json run_json = nlohmann::json::parse(read_text(dir / "out" / "run.json"));
  CHECK(run_json["monitor"]["alerts"].size() == 3);
}

TEST_CASE("monitor thresholds that are not sizes, or percentages without a limit, are refused") {
  cohort::testing::TempDir dir("cohort_monitor");
  CHECK_THROWS_WITH_AS(settings_for(dir, "steady", {"monitor.alerts.rss.warning=80%"}),
                       doctest::Contains("percentage together with monitor.limit"), ConfigError);
  CHECK_THROWS_WITH_AS(settings_for(dir, "steady", {"monitor.alerts.rss.info=lots"}),
                       doctest::Contains("monitor.alerts.rss.info"), ConfigError);
  CHECK_THROWS_WITH_AS(settings_for(dir, "steady", {"monitor.alerts.over_soft_share.info=1.5"}),
                       doctest::Contains("a fraction in [0, 1]"), ConfigError);
  const RunSettings s =
      settings_for(dir, "steady", {"monitor.limit=2GiB", "monitor.alerts.rss.critical=90%"});
  CHECK(*s.monitor.rss.critical == doctest::Approx(0.9 * 2147483648.0));
}
