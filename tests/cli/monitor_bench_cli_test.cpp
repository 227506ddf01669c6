// `cohort run --fail-on-leak`, the monitor's files, and `cohort bench` end to end (the built
// binary, run as a child process).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using cohort::testing::TempDir;

namespace {

struct Result {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr
};

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `cohort args` (split at spaces; arguments here hold none) in the source tree, through
// the CLI's own child-process code.
Result run_cohort(const TempDir& dir, const std::string& args) {
  std::vector<std::string> argv;
  std::istringstream words(args);
  for (std::string w; words >> w;)
    argv.push_back(w);
  const fs::path log = dir / "cohort.log";
  const cohort::cli::ChildResult r =
      cohort::cli::ChildProcess(COHORT_BINARY, argv,
                                {.out = log, .err = {}, .append = false, .cwd = COHORT_SOURCE_DIR})
          .wait();
  return {r.exit_code, read_text(log)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Quick start at 2000 walkers for 60 steps on one thread: deterministic accounted bytes.
const std::string kSmallRun =
    "configs/quickstart.yaml --steps 60 --threads 1 --set populations.walkers.size=2000 ";
// Growth that goes on to the end (births: 3% more walkers a step, each with a trail) and a leak
// rule loose enough to call it a leak. Trails filling to their capacity alone level off, and a
// plateau is not a leak.
const std::string kLooseLeakRule =
    "--set parameters.birth_rate=0.03 --set monitor.every=2 --set monitor.leak.warmup=0 "
    "--set monitor.leak.relative=0 --set monitor.leak.slope_bytes_per_step=0 "
    "--set monitor.leak.alpha=0.5 ";

}  // namespace

TEST_CASE("run writes timeline.csv and the monitor's verdicts to run.json") {
  const TempDir dir("cohort_cli_monitor");
  const Result r = run_cohort(dir, "run " + kSmallRun + "--quiet --out " + dir.str("out"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const std::string timeline = read_text(dir / "out" / "timeline.csv");
  CHECK(timeline.rfind("step,wall_seconds,rss,accounted_used,", 0) == 0);
  CHECK(contains(timeline, "tag:trail"));
  const auto run = nlohmann::json::parse(read_text(dir / "out" / "run.json"));
  CHECK(run["monitor"]["samples"] == 7);  // steps 0, 10, ..., 60
  CHECK(run["monitor"]["leak"]["accounted"]["verdict"] == "insufficient_data");
  CHECK(contains(r.output, "monitor: 7 samples, 0 alerts"));
  // The deterministic outputs do not gain the monitor's varying figures.
  CHECK_FALSE(contains(read_text(dir / "out" / "summary.json"), "rss"));
}

TEST_CASE("a detected leak exits 6 with --fail-on-leak and 0 without it") {
  const TempDir dir("cohort_cli_monitor");
  const Result flagged = run_cohort(
      dir, "run " + kSmallRun + kLooseLeakRule + "--quiet --fail-on-leak --out " + dir.str("a"));
  CHECK_MESSAGE(flagged.exit_code == 6, flagged.output);
  CHECK(contains(flagged.output, "memory leak detected"));
  const Result warned =
      run_cohort(dir, "run " + kSmallRun + kLooseLeakRule + "--quiet --out " + dir.str("b"));
  CHECK_MESSAGE(warned.exit_code == 0, warned.output);
  const auto run = nlohmann::json::parse(read_text(dir / "b" / "run.json"));
  CHECK(run["monitor"]["leak"]["detected"] == true);
}

TEST_CASE("--help documents exit code 6 and the bench subcommand") {
  const TempDir dir("cohort_cli_monitor");
  const Result r = run_cohort(dir, "--help");
  CHECK(contains(r.output, "6 memory leak detected (run --fail-on-leak)"));
  CHECK(contains(r.output, "bench"));
}

TEST_CASE("bench fits time and memory over populations, writing CSV, JSON and a progress line") {
  const TempDir dir("cohort_cli_bench");
  const Result r =
      run_cohort(dir,
                 "bench configs/quickstart.yaml --scale populations.walkers.size=1000,2000,4000 "
                 "--repeat 2 --steps 10 --threads 1 --out " +
                     dir.str("bench"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(contains(r.output, "bench [6/6] populations.walkers.size=4000 rep 2: 4000 agents"));
  const auto j = nlohmann::json::parse(read_text(dir / "bench" / "bench.json"));
  CHECK(j["scales"].size() == 3);
  CHECK(j["scales"][2]["agents"] == 4000);
  CHECK(j["fit"]["time_per_step"]["points"] == 6);
  CHECK(j["fit"]["peak_rss"]["ci95"].size() == 2);
  CHECK(fs::exists(dir / "bench" / "bench_runs.csv"));
  CHECK(fs::exists(dir / "bench" / "bench_summary.csv"));
}

TEST_CASE("bench refuses a scaled key that does not change the population before running") {
  const TempDir dir("cohort_cli_bench");
  const Result r = run_cohort(dir,
                              "bench configs/quickstart.yaml --scale parameters.width=100,150,200 "
                              "--repeat 1 --steps 5 --threads 1 --set populations.walkers.size=500 "
                              "--out " +
                                  dir.str("bench"));
  CHECK_MESSAGE(r.exit_code == 2, r.output);
  CHECK(contains(r.output,
                 "--scale parameters.width=100,150,200: parameters.width gives 1 distinct "
                 "configured population size(s); a scaling fit needs 3"));
  CHECK_FALSE(fs::exists(dir / "bench"));
}

TEST_CASE("bench refuses fewer than 3 scale values before running anything") {
  const TempDir dir("cohort_cli_bench");
  const Result r =
      run_cohort(dir,
                 "bench configs/quickstart.yaml --scale populations.walkers.size=1000,2000 "
                 "--out " +
                     dir.str("bench"));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, "need at least 3 distinct values"));
  CHECK_FALSE(fs::exists(dir / "bench"));
}

TEST_CASE("bench refuses an --out folder that holds files it did not write") {
  const TempDir dir("cohort_cli_bench");
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine" / "thesis.tex") << "precious";
  const Result r =
      run_cohort(dir,
                 "bench configs/quickstart.yaml --scale populations.walkers.size=100,200,400 "
                 "--steps 2 --threads 1 --out " +
                     dir.str("mine"));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.output, dir.str("mine") + " is not empty and holds no earlier `cohort bench` "
                                             "results (bench.json); refusing to write into it"));
  CHECK(read_text(dir / "mine" / "thesis.tex") == "precious");
  CHECK_FALSE(fs::exists(dir / "mine" / "runs"));
}

TEST_CASE("bench replaces its earlier runs but never deletes a file it did not write there") {
  const TempDir dir("cohort_cli_bench");
  const std::string bench =
      "bench configs/quickstart.yaml --scale populations.walkers.size=100,200,400 --steps 2 "
      "--threads 1 --out " +
      dir.str("b");
  REQUIRE(run_cohort(dir, bench).exit_code == 0);
  REQUIRE(fs::exists(dir / "b" / "runs" / "3" / "metrics.csv"));
  // A second bench into its own results replaces them.
  const Result again = run_cohort(dir, bench);
  REQUIRE_MESSAGE(again.exit_code == 0, again.output);
  CHECK(fs::exists(dir / "b" / "runs" / "3" / "metrics.csv"));
  // A file of the user's in a run folder stops the bench before anything is removed there.
  std::ofstream(dir / "b" / "runs" / "2" / "notes.txt") << "mine";
  const Result refused = run_cohort(dir, bench);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.output, dir.str("b") + "/runs/2 holds files cohort did not write "
                                                "(notes.txt); move them away or choose another "
                                                "--out"));
  CHECK(read_text(dir / "b" / "runs" / "2" / "notes.txt") == "mine");
}

TEST_CASE("run records a profile that profiles list and show read back") {
  const TempDir dir("cohort_cli_profiles");
  const std::string store = dir.str("store");
  const Result r = run_cohort(dir, "run " + kSmallRun + "--quiet --name small --profiles " + store +
                                       " --out " + dir.str("out"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  REQUIRE(contains(r.output, "recorded in " + store));
  const Result list = run_cohort(dir, "profiles --profiles " + store + " list");
  CHECK_MESSAGE(list.exit_code == 0, list.output);
  CHECK(contains(list.output, "small"));
  std::string id;
  for (const auto& e : fs::directory_iterator(store))
    id = e.path().stem().string();
  const Result show = run_cohort(dir, "profiles --profiles " + store + " show " + id);
  CHECK_MESSAGE(show.exit_code == 0, show.output);
  for (const char* key : {"\"config_hash\"", "\"cohort_version\"", "\"peak_rss\"",
                          "\"seconds_per_step\"", "\"bytes_per_agent\"", "\"leak\""})
    CHECK(contains(show.output, key));
}

TEST_CASE("profiles trend exits 7 on a regression with --fail-on-regression") {
  const TempDir dir("cohort_cli_profiles");
  fs::create_directories(dir / "store");
  // Three steady runs, then one 50% slower; the same name and config hash.
  const double times[] = {1.0, 1.02, 0.98, 1.5};
  for (int i = 0; i < 4; ++i) {
    std::ofstream(dir / "store" / ("2026010" + std::to_string(i + 1) + "T000000.000Z.json"))
        << nlohmann::json{{"name", "nightly"},
                          {"config_hash", "abc"},
                          {"seconds_per_step", times[i]},
                          {"peak_rss", 1e7},
                          {"peak_accounted", 5e6},
                          {"bytes_per_agent", 300}}
               .dump();
  }
  const std::string trend = "profiles --profiles " + dir.str("store") + " trend nightly";
  const Result strict = run_cohort(dir, trend + " --fail-on-regression");
  CHECK_MESSAGE(strict.exit_code == 7, strict.output);
  CHECK(contains(strict.output, "REGRESSION"));
  CHECK(run_cohort(dir, trend).exit_code == 0);
  CHECK(run_cohort(dir, trend + " --tolerance 0.6 --fail-on-regression").exit_code == 0);
  const Result compare = run_cohort(dir, "profiles --profiles " + dir.str("store") +
                                             " compare 20260101 20260102 --fail-on-regression");
  CHECK_MESSAGE(compare.exit_code == 0, compare.output);
}
