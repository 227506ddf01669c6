// The `cohort` program end to end: runs the built binary and checks exit codes, messages and
// output files.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>
#include "support/cohort_process.hpp"
#include "support/temp_dir.hpp"

#ifndef COHORT_BINARY
#error "COHORT_BINARY must name the cohort executable"
#endif
#ifndef COHORT_SOURCE_DIR
#error "COHORT_SOURCE_DIR must name the repository root"
#endif

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using cohort::testing::contains;
using cohort::testing::Process;
using cohort::testing::read_file;
using cohort::testing::Result;
using cohort::testing::run_cohort;
using cohort::testing::TempDir;
using cohort::testing::write_file;
using cohort::testing::cli::Config;
using cohort::testing::cli::kLongSteps;
using cohort::testing::cli::kLongWalkers;
using cohort::testing::cli::kMetricsHeader;
using cohort::testing::cli::lines_of;
using cohort::testing::cli::write_config;

}  // namespace

TEST_CASE("--version prints the version") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"--version"});
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(r.out == "cohort 0.1.0\n");
}

TEST_CASE("--help lists the subcommands and the exit codes") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"--help"});
  CHECK_MESSAGE(r.exit_code == 0, r);
  for (const char* part : {"run", "validate", "models", "sweep", "plot", "memory-demo",
                           "Exit codes: 0 ok, 1 internal error, 2 bad command line, config or "
                           "plugin, 3 memory budget refusal, 4 I/O or checkpoint error, 5 "
                           "interrupted (checkpoint written), 6 memory leak detected"}) {
    CAPTURE(part);
    CHECK(contains(r.out, part));
  }
}

TEST_CASE("a bad command line exits 2 with CLI11's message") {
  const TempDir dir;
  Result r = run_cohort(dir, {});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "A subcommand is required"));

  r = run_cohort(dir, {"run"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "config is required"));

  r = run_cohort(dir, {"run", "nonexistent.yaml"}, dir.path());
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "config: File does not exist: nonexistent.yaml"));

  r = run_cohort(dir, {"frobnicate"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "cohort: unknown subcommand 'frobnicate'; the subcommands are: run, "));

  const fs::path config = write_config(dir, "c.yaml", {});
  r = run_cohort(dir, {"run", config.string(), "--threads", "many"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  r = run_cohort(dir, {"run", config.string(), "--resume", dir.str("missing.cohort")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "File does not exist: " + dir.str("missing.cohort")));
  CHECK_FALSE(fs::exists(dir / "default_out"));
}

TEST_CASE("models lists random_walk with its populations, parameters and defaults") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"models"});
  CHECK_MESSAGE(r.exit_code == 0, r);
  // Other models may be listed too; random_walk's entry is a block of its own.
  CHECK((r.out.starts_with("random_walk\n  Walkers on a torus") ||
         contains(r.out, "\nrandom_walk\n  Walkers on a torus")));
  for (const char* part :
       {"  populations:\n    walkers (default size 1000): the walkers\n",
        "      width (integer in [1, 65535], default 100): grid width in cells\n",
        "      move_probability (real in [0, 1], default 1): chance a walker moves in a step\n",
        "      birth_rate (real in [0, 1], default 0): chance a walker spawns a child in a step\n",
        "      trail_capacity (integer in [0, 1024], default 64): cells a walker remembers at "
        "most\n"}) {
    CAPTURE(part);
    CHECK(contains(r.out, part));
  }
}

TEST_CASE("validate accepts the quick-start config and applies overrides") {
  const TempDir dir;
  const fs::path root = COHORT_SOURCE_DIR;
  Result r = run_cohort(dir, {"validate", "configs/quickstart.yaml"}, root);
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(r.out ==
        "configs/quickstart.yaml is valid: model random_walk, 200 steps, seed 42\n"
        "  population walkers: 20000 agents\n");

  r = run_cohort(dir,
                 {"validate", "configs/quickstart.yaml", "--steps", "7", "--seed", "3", "--set",
                  "populations.walkers.size=12", "--out", dir.str("never_written")},
                 root);
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(r.out ==
        "configs/quickstart.yaml is valid: model random_walk, 7 steps, seed 3\n"
        "  population walkers: 12 agents\n");
  CHECK_FALSE(fs::exists(dir / "never_written"));
}

TEST_CASE("validate reports every problem of a bad config at its file, line and column") {
  const TempDir dir;
  const fs::path config = dir / "bad.yaml";
  write_file(config, "model: random_walk\nsteps: 0\nparameters:\n  widht: 10\n");
  const Result r = run_cohort(dir, {"validate", config.string()});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(r.out.empty());
  CHECK(contains(
      r.err, config.string() + ":2:8: steps: expected an integer in [1, 1099511627776], got 0\n"));
  CHECK(contains(r.err, config.string() +
                            ":4:3: parameters.widht: unknown key; did you mean 'width'? (valid "
                            "keys: width, height, move_probability, birth_rate, death_rate, "
                            "trail_capacity)\n"));

  const fs::path unknown_model = dir / "model.yaml";
  write_file(unknown_model, "model: random_wlk\n");
  const Result m = run_cohort(dir, {"validate", unknown_model.string()});
  CHECK_MESSAGE(m.exit_code == 2, m);
  CHECK(contains(m.err, unknown_model.string() + ":1:8: model: expected a registered model ("));
  CHECK(contains(m.err, "random_walk"));
  CHECK(contains(m.err, "), got 'random_wlk'; did you mean 'random_walk'?"));
}

TEST_CASE("--set problems are reported at the --set, and exit 2") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  for (const char* command : {"validate", "run"}) {
    CAPTURE(command);
    const Result r = run_cohort(dir, {command, config.string(), "--set", "parameters.widht=5"});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err,
                   "--set parameters.widht=5: parameters.widht: unknown key; did you mean "
                   "'width'? (valid keys: width, height, move_probability, birth_rate, "
                   "death_rate, trail_capacity)"));
  }
  const Result bad = run_cohort(dir, {"run", config.string(), "--set", "steps=0"});
  CHECK_MESSAGE(bad.exit_code == 2, bad);
  CHECK(
      contains(bad.err, "--set steps=0: steps: expected an integer in [1, 1099511627776], got 0"));
  const Result malformed = run_cohort(dir, {"run", config.string(), "--set", "steps"});
  CHECK_MESSAGE(malformed.exit_code == 2, malformed);
  CHECK(contains(malformed.err, "--set steps: expected key.path=value"));
  CHECK_FALSE(fs::exists(dir / "default_out"));
}

TEST_CASE("run writes the same metrics and summary on 1 and 2 threads") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  for (const char* threads : {"1", "2"}) {
    CAPTURE(threads);
    const Result r = run_cohort(dir, {"run", config.string(), "--threads", threads, "--out",
                                      dir.str(std::string("t") + threads)});
    REQUIRE_MESSAGE(r.exit_code == 0, r);
    CHECK(contains(r.err, "done: 25 steps; outputs in " + dir.str(std::string("t") + threads)));
    for (const char* file : {"metrics.csv", "summary.json", "memory.json", "run.json"}) {
      CAPTURE(file);
      CHECK(fs::is_regular_file(dir / (std::string("t") + threads) / file));
    }
    const json run = json::parse(read_file(dir / (std::string("t") + threads) / "run.json"));
    CHECK(run.at("threads") == std::stoi(threads));
    CHECK(run.at("steps_this_process") == 25);
    CHECK(json::parse(read_file(dir / (std::string("t") + threads) / "memory.json")).is_object());
  }
  const std::string csv = read_file(dir / "t1" / "metrics.csv");
  CHECK(csv == read_file(dir / "t2" / "metrics.csv"));
  CHECK(read_file(dir / "t1" / "summary.json") == read_file(dir / "t2" / "summary.json"));
  CHECK_FALSE(fs::exists(dir / "default_out"));  // --out replaced the config's directory

  // Step 0, every 4th step, and the final step 25: 0, 4, ..., 24, 25.
  const std::vector<std::string> lines = lines_of(csv);
  REQUIRE(lines.size() == 1 + 8);
  CHECK(lines[0] == kMetricsHeader);
  std::vector<std::string> steps;
  for (std::size_t i = 1; i < lines.size(); ++i)
    steps.push_back(lines[i].substr(0, lines[i].find(',')));
  CHECK(steps == std::vector<std::string>{"0", "4", "8", "12", "16", "20", "24", "25"});
  CHECK(lines[1].starts_with("0,2000,0,"));  // the initial state: no one has moved

  const json summary = json::parse(read_file(dir / "t1" / "summary.json"));
  CHECK(summary.at("model") == "random_walk");
  CHECK(summary.at("seed") == 11);
  CHECK(summary.at("steps") == 25);
  CHECK(summary.at("populations").at(0).at("name") == "walkers");
  CHECK(summary.at("final_metrics").at("walkers") == summary.at("populations").at(0).at("agents"));
}

TEST_CASE("a refused allocation with on_refusal: fail exits 3 with the refusal and a remedy") {
  const TempDir dir;
  Config c;
  c.budget = "{hard: 8B}";  // the first trail buffer (4 cells, 16 B) is over the limit
  c.on_refusal = "fail";
  const fs::path config = write_config(dir, "c.yaml", c);
  const Result r = run_cohort(dir, {"run", config.string(), "--out", dir.str("out")});
  CHECK_MESSAGE(r.exit_code == 3, r);
  CHECK(contains(r.err, "memory budget refused: walkers/agent "));
  CHECK(contains(r.err,
                 "/trail requested 16 bytes with 0 bytes in use, over its hard limit of 8 "
                 "bytes. Remedy: "));
}

TEST_CASE("with on_refusal: freeze the same budget freezes trails and the run completes") {
  const TempDir dir;
  Config c;
  c.budget = "{hard: 100B}";  // trails grow to 16 cells (64 B); 32 cells (128 B) are refused
  c.on_refusal = "freeze";
  const fs::path config = write_config(dir, "c.yaml", c);
  const Result r = run_cohort(dir, {"run", config.string(), "--out", dir.str("out"), "--quiet"});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  const double frozen = summary.at("final_metrics").at("frozen_trails");
  CHECK(frozen > 0);
  const std::vector<std::string> lines = lines_of(read_file(dir / "out" / "metrics.csv"));
  REQUIRE(lines.size() >= 2);
  const std::string& last = lines.back();
  CHECK(last.starts_with("25,"));
  CHECK(std::stod(last.substr(last.rfind(',') + 1)) == frozen);
  const std::string& first = lines[1];
  CHECK(first.substr(first.rfind(',') + 1) == "0");
}

TEST_CASE("SIGINT writes a checkpoint and exits 5, and resuming it finishes the same run") {
  const TempDir dir;
  Config c;
  c.walkers = kLongWalkers;
  c.steps = kLongSteps;
  c.every = 7;
  const fs::path config = write_config(dir, "long.yaml", c);
  const fs::path interrupted = dir / "interrupted";

  Result r;
  {
    Process run({"run", config.string(), "--threads", "2", "--out", interrupted.string()},
                dir.path());
    // The first progress line ("step 1/200 (0%), ..., ETA 1.4s, accounted memory 10.7 MiB")
    // comes after the first step, when the signal handler is installed.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!contains(run.err_so_far(), "s, accounted memory") && run.running() &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!run.running()) FAIL("the run ended before its first progress line: " << run.wait());
    // Signal about a quarter of the way through, judged by the first line's ETA ("ETA 1.4s"),
    // so the interrupt lands mid-run on fast and slow machines alike.
    const std::string first = run.err_so_far();
    const std::size_t eta_at = first.find("ETA ");
    const double eta = eta_at == std::string::npos ? 0.8 : std::stod(first.substr(eta_at + 4));
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(0.5, eta / 4)));
    const bool signalled = run.signal(SIGINT);
    r = run.wait();
    if (!signalled)
      FAIL("the run finished before SIGINT could interrupt it; make it longer: " << r);
  }
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  const fs::path checkpoint = interrupted / "checkpoint.cohort";
  REQUIRE(fs::is_regular_file(checkpoint));
  const std::size_t at = r.err.find("interrupted at step ");
  REQUIRE_MESSAGE(at != std::string::npos, r);
  const int step = std::stoi(r.err.substr(at + 20));
  CHECK(step >= 1);
  CHECK(step < kLongSteps);
  CHECK(contains(r.err, "; checkpoint written to " + checkpoint.string() +
                            "; continue with: cohort run " + config.string() + " --resume " +
                            checkpoint.string()));
  // The interrupted run's outputs describe the steps it did.
  const json partial = json::parse(read_file(interrupted / "summary.json"));
  CHECK(partial.at("steps") == step);

  const Result resumed = run_cohort(dir, {"run", config.string(), "--resume", checkpoint.string(),
                                          "--out", dir.str("resumed"), "--quiet"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed);
  CHECK(contains(resumed.err,
                 "resumed from " + checkpoint.string() + " at step " + std::to_string(step)));
  const json resumed_run = json::parse(read_file(dir / "resumed" / "run.json"));
  CHECK(resumed_run.at("steps_this_process") == kLongSteps - step);

  const Result straight =
      run_cohort(dir, {"run", config.string(), "--out", dir.str("straight"), "--quiet"});
  REQUIRE_MESSAGE(straight.exit_code == 0, straight);
  const std::string csv = read_file(dir / "straight" / "metrics.csv");
  CHECK(lines_of(csv).size() == 1 + 1 + kLongSteps / 7 + (kLongSteps % 7 != 0 ? 1 : 0));
  CHECK(read_file(dir / "resumed" / "metrics.csv") == csv);
  CHECK(read_file(dir / "resumed" / "summary.json") ==
        read_file(dir / "straight" / "summary.json"));
  // What the interrupted run wrote is the beginning of the full metrics.
  CHECK(csv.starts_with(read_file(interrupted / "metrics.csv")));
}

TEST_CASE("an unusable checkpoint exits 4 naming the problem") {
  const TempDir dir;
  Config c;
  c.steps = 30;
  const fs::path config = write_config(dir, "c.yaml", c);
  // A checkpoint to damage: output.checkpoint_every leaves one from step 20 behind.
  const Result first = run_cohort(dir, {"run", config.string(), "--out", dir.str("first"),
                                        "--quiet", "--set", "output.checkpoint_every=20"});
  REQUIRE_MESSAGE(first.exit_code == 0, first);
  const fs::path checkpoint = dir / "first" / "checkpoint.cohort";
  const std::string good = read_file(checkpoint);
  REQUIRE(good.size() > 100);

  const auto resume = [&](const fs::path& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run",   config.string(),    "--resume", file.string(),
                                  "--out", dir.str("resumed"), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cohort(dir, args);
  };

  SUBCASE("a flipped byte") {
    std::string bytes = good;
    bytes[bytes.size() / 2] ^= 0x40;
    write_file(dir / "corrupt.cohort", bytes);
    const Result r = resume(dir / "corrupt.cohort");
    CHECK_MESSAGE(r.exit_code == 4, r);
    CHECK(contains(r.err, dir.str("corrupt.cohort") +
                              " is corrupt: its checksum does not match its contents"));
  }
  SUBCASE("not a checkpoint") {
    const Result r = resume(config);
    CHECK_MESSAGE(r.exit_code == 4, r);
    CHECK(contains(r.err, config.string() + " is not a cohort checkpoint (no COHORTCK header)"));
  }
  SUBCASE("another configuration") {
    const Result r = resume(checkpoint, {"--seed", "12"});
    CHECK_MESSAGE(r.exit_code == 4, r);
    CHECK(contains(r.err, checkpoint.string() + " was written with a different configuration"));
  }
  SUBCASE("the same configuration with other steps and threads resumes") {
    const Result r = resume(checkpoint, {"--steps", "24", "--threads", "2"});
    CHECK_MESSAGE(r.exit_code == 0, r);
    const json run = json::parse(read_file(dir / "resumed" / "run.json"));
    CHECK(run.at("steps_this_process") == 4);
  }
}

TEST_CASE("outputs that cannot be written exit 4") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  // A directory where metrics.csv should go: the final rename fails.
  fs::create_directories(dir / "out" / "metrics.csv" / "occupied");
  Result r = run_cohort(dir, {"run", config.string(), "--out", dir.str("out"), "--quiet"});
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.err, "cannot write " + dir.str("out") + "/metrics.csv: rename failed"));
  // A file where the output directory should be.
  write_file(dir / "file", "");
  r = run_cohort(dir, {"run", config.string(), "--out", dir.str("file") + "/out", "--quiet"});
  CHECK_MESSAGE(r.exit_code == 4, r);
}

TEST_CASE("memory.json names the metric history kept outside the accountant") {
  // Issue 14: coverage 4.4% left the metric rows kept for metrics.csv unexplained.
  const TempDir dir;
  const Result r = run_cohort(dir, {"run", write_config(dir, "c.yaml", {}).string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const json memory = json::parse(read_file(dir / "default_out" / "memory.json"));
  // 8 rows (steps 0, 4, ..., 24, 25) of a 32-byte MetricRow and one double per metric.
  const std::uint64_t metrics = std::count(kMetricsHeader.begin(), kMetricsHeader.end(), ',');
  const std::uint64_t history = memory.at("kept_outside_accountant").at("metric_history");
  CHECK(history >= 8 * (32 + 8 * metrics));
  CHECK(history <= 16 * 32 + 8 * 2 * 8 * metrics);
  CHECK(memory.at("totals").contains("column_capacity_unused"));
  CHECK(memory.at("process").contains("resident_coverage"));
}
