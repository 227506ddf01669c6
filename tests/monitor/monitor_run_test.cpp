// The memory monitor on whole runs of test models: the leaking model is flagged, the steady and
// grow-then-shrink ones are not; timeline.csv and run.json carry the samples and verdicts;
// thresholds in the config raise alerts; bad thresholds are config errors; a distributed run's
// other ranks are judged like this process.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_monitor.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/engine/world.hpp"
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
  CHECK(alerts[0].level == AlertLevel::info);
  CHECK(alerts[0].threshold == 100 * 1024);
  CHECK(alerts[1].level == AlertLevel::warning);
  CHECK(alerts[1].threshold == 512 * 1024);
  CHECK(alerts[2].metric == "over_soft_share");
  CHECK(alerts[2].level == AlertLevel::critical);
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

TEST_CASE("another rank's memory raises its own alerts and leak verdict") {
  // A distributed run's samples carry every rank's figures as columns; rank 0 judges them all.
  MonitorSettings settings;
  settings.every = 1;
  settings.rss.warning = 1e15;  // far above this process's resident bytes
  settings.accounted.critical = 5000;
  RunMonitor monitor(settings);
  World world(WorldOptions{1, 1});
  for (std::uint64_t k = 0; k < 40; ++k) {
    world.run_step();
    const std::uint64_t rank1_rss = k == 30 ? std::uint64_t{2'000'000'000'000'000} : 1'000'000;
    monitor.sample(world, 0,
                   {{"rank0:rss", 1'000'000},
                    {"rank0:accounted_used", 100},
                    {"rank1:rss", rank1_rss},
                    {"rank1:accounted_used", 1000 + 200 * k},  // leaks 200 B a step
                    {"ranks:rss_max", rank1_rss}});
  }
  const std::vector<AlertEvent>& alerts = monitor.alerts();
  REQUIRE(alerts.size() == 3);
  CHECK(alerts[0].metric == "rank1:accounted");  // 1000 + 200k >= 5000 from k = 20
  CHECK(alerts[0].step == 21);
  CHECK(alerts[0].level == AlertLevel::critical);
  CHECK(alerts[1].metric == "rank1:rss");
  CHECK(alerts[1].step == 31);
  CHECK(alerts[1].raised);
  CHECK(alerts[2].metric == "rank1:rss");
  CHECK_FALSE(alerts[2].raised);
  const auto leaks = monitor.rank_leaks();
  REQUIRE(leaks.size() == 2);
  CHECK(leaks[0].first == "rank1:rss");
  CHECK(leaks[1].first == "rank1:accounted_used");
  CHECK(leaks[1].second.verdict == LeakVerdict::leak);
  CHECK(monitor.accounted_leak().verdict != LeakVerdict::leak);
  CHECK(monitor.leak_detected());
  CHECK(monitor.to_json()["leak"]["ranks"]["rank1:accounted_used"]["verdict"] == "leak");

  // A resumed run's monitor rebuilds the same alerts from the saved samples.
  CheckpointWriter out;
  monitor.save(out);
  RunMonitor resumed(settings);
  CheckpointReader in(out.bytes().data(), out.bytes().size());
  resumed.restore(in);
  REQUIRE(resumed.alerts().size() == 3);
  CHECK(resumed.alerts()[1].metric == "rank1:rss");
  CHECK(resumed.leak_detected());
}
