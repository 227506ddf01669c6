// `cohort run` loses nothing: the output folder is checked and locked before the model is built,
// written as the run goes, and consistent whatever ends the run (a signal at any point, a
// refusal, kill -9). Runs the built binary.
#include <doctest/doctest.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cohort_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace cohort::testing::cli;

namespace {

// Waits until `ready` holds or `run` ends; false if it ended first.
template <class Ready>
bool wait_for(const Process& run, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!ready()) {
    if (!run.running() || std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

json run_json(const fs::path& out) {
  return json::parse(read_file(out / "run.json"));
}

// The `*.tmp.<pid>` files in `dir`.
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos)
      names.push_back(e.path().filename().string());
  return names;
}

// Runs that a test stops itself: long enough never to end first.
constexpr int kStoppedSteps = 20 * kLongSteps;

// A config of `walkers` walkers for `steps` steps, metrics every step.
fs::path long_config(const TempDir& dir, int walkers = kLongWalkers, int steps = kLongSteps) {
  Config c;
  c.walkers = walkers;
  c.steps = steps;
  c.every = 1;
  return write_config(dir, "long.yaml", c);
}

// A run of `config` into `out` with SIGTERM raised just before `phase` (build, resume, outputs).
Result run_signalled_at(const TempDir& dir, const fs::path& config, const fs::path& out,
                        const std::string& phase, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", config.string(), "--out", out.string(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cohort(dir, args, {}, {"COHORT_TEST_RAISE_AT=" + phase});
}

// Runs `config` into dir/first with a checkpoint at step 20 left behind; returns its path.
fs::path checkpoint_at_step_20(const TempDir& dir, const fs::path& config) {
  const Result first = run_cohort(dir, {"run", config.string(), "--out", dir.str("first"),
                                        "--quiet", "--set", "output.checkpoint_every=20"});
  REQUIRE_MESSAGE(first.exit_code == 0, first);
  return dir / "first" / "checkpoint.cohort";
}

}  // namespace

TEST_CASE("run.json says running during the run and completed at the end, with the versions") {
  const TempDir dir;
  const fs::path config = long_config(dir);
  const fs::path out = dir / "out";
  Process run({"run", config.string(), "--out", out.string(), "--quiet", "--threads", "1"},
              dir.path());
  REQUIRE(wait_for(run, [&] { return fs::exists(out / "metrics.csv"); }));
  const json during = run_json(out);
  const Result r = run.wait();
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(during.at("status") == "running");
  const json after = run_json(out);
  CHECK(after.at("status") == "completed");
  CHECK(after.at("cohort_version") == "0.1.0");
  CHECK(after.at("schema_version") == 2);
  const json summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary.at("cohort_version") == "0.1.0");
  CHECK(summary.at("schema_version") == 2);
  // The resolved config: the file's values with the overrides and defaults applied.
  const std::string resolved = read_file(out / "config.resolved.yaml");
  CHECK(contains(resolved, "steps: " + std::to_string(kLongSteps) + "\n"));
  CHECK(contains(resolved, "dir: \"" + out.string() + "\""));
  CHECK(contains(resolved, "trail_capacity: 64"));
  for (const char* file : {"metrics.csv", "summary.json", "memory.json", "timeline.csv",
                           "config.resolved.yaml", "run.json"}) {
    CAPTURE(file);
    CHECK(std::find(after.at("files").begin(), after.at("files").end(), file) !=
          after.at("files").end());
  }
}

TEST_CASE("kill -9 mid-run leaves every metrics and timeline row written so far, readable") {
  const TempDir dir;
  const fs::path config = long_config(dir, kLongWalkers, kStoppedSteps);
  const fs::path out = dir / "out";
  Process run({"run", config.string(), "--out", out.string(), "--quiet", "--threads", "1", "--set",
               "monitor.every=1"},
              dir.path());
  REQUIRE(wait_for(run, [&] { return lines_of(read_file(out / "metrics.csv")).size() >= 4; }));
  run.signal(SIGKILL);
  const Result r = run.wait();
  REQUIRE(r.signal == SIGKILL);
  const std::string csv = read_file(out / "metrics.csv");
  CHECK(csv.ends_with("\n"));  // every row is whole
  const std::vector<std::string> lines = lines_of(csv);
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0] == kMetricsHeader);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CHECK(std::count(lines[i].begin(), lines[i].end(), ',') == 6);
    CHECK(lines[i].starts_with(std::to_string(i - 1) + ","));  // steps 0, 1, 2, ...
  }
  const std::vector<std::string> timeline = lines_of(read_file(out / "timeline.csv"));
  REQUIRE(timeline.size() >= 2);
  CHECK(timeline[0].starts_with("step,wall_seconds,rss,"));
  CHECK(timeline[1].starts_with("0,"));
  CHECK(run_json(out).at("status") == "running");
  CHECK(fs::exists(out / "config.resolved.yaml"));
}

TEST_CASE("a second run into a folder a run is using exits 4 and leaves the first run alone") {
  const TempDir dir;
  const fs::path config = long_config(dir, kLongWalkers, kStoppedSteps);
  const fs::path out = dir / "out";
  Process first({"run", config.string(), "--out", out.string(), "--quiet", "--threads", "1"},
                dir.path());
  REQUIRE(wait_for(first, [&] { return fs::exists(out / "metrics.csv"); }));
  const Result second =
      run_cohort(dir, {"run", config.string(), "--out", out.string(), "--quiet", "--steps", "3"});
  CHECK_MESSAGE(second.exit_code == 4, second);
  CHECK(contains(second.err, "the output directory " + out.string() +
                                 " is in use by another cohort run (pid " +
                                 std::to_string(first.pid()) + ")"));
  first.signal(SIGINT);
  const Result r = first.wait();
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  // Everything in the folder is the first run's: its steps, one after another, to its end.
  const json summary = json::parse(read_file(out / "summary.json"));
  const std::vector<std::string> lines = lines_of(read_file(out / "metrics.csv"));
  CHECK(lines.size() == 1 + 1 + summary.at("steps").get<std::size_t>());
  CHECK(lines.back().starts_with(std::to_string(summary.at("steps").get<int>()) + ","));
  CHECK(run_json(out).at("status") == "interrupted");
}

TEST_CASE("a run removes temporaries of dead processes and keeps those of live ones") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const fs::path out = dir / "out";
  fs::create_directories(out);
  // No process has a pid above the kernel's limit (at most 2^22): this writer is dead.
  write_file(out / "checkpoint.cohort.tmp.2147483000", std::string(4096, 'x'));
  const std::string live = "notes.txt.tmp." + std::to_string(::getpid());
  write_file(out / live, "mine");
  const Result r = run_cohort(dir, {"run", config.string(), "--out", out.string(), "--quiet"});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(temporaries(out) == std::vector<std::string>{live});
}

TEST_CASE("a run replaces the files of the previous run in its folder and keeps the user's") {
  const TempDir dir;
  const fs::path config = long_config(dir, kLongWalkers, kStoppedSteps);
  const fs::path out = dir / "out";
  const Result before =
      run_cohort(dir, {"run", config.string(), "--out", out.string(), "--quiet", "--steps", "3"});
  REQUIRE_MESSAGE(before.exit_code == 0, before);
  REQUIRE(fs::exists(out / "summary.json"));
  write_file(out / "my_notes.txt", "keep me");
  Process run({"run", config.string(), "--out", out.string(), "--quiet", "--threads", "1"},
              dir.path());
  // The previous run's metrics.csv is there from the start: wait for this run's.
  REQUIRE(wait_for(run, [&] {
    const json now = json::parse(read_file(out / "run.json"), nullptr, false);
    return now.is_object() && now.value("status", "") == "running" &&
           lines_of(read_file(out / "metrics.csv")).size() >= 3;
  }));
  // Mid-run, nothing of the previous run is left to be mistaken for this one's.
  CHECK_FALSE(fs::exists(out / "summary.json"));
  CHECK_FALSE(fs::exists(out / "memory.json"));
  CHECK(run_json(out).at("status") == "running");
  CHECK(read_file(out / "my_notes.txt") == "keep me");
  run.signal(SIGKILL);
  run.wait();
}

TEST_CASE("a signal while the model is built ends the run with exit 5 and a step-0 checkpoint") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const fs::path out = dir / "out";
  const Result r = run_signalled_at(dir, config, out, "build");
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  CHECK(contains(r.err, "interrupted at step 0; checkpoint written to " +
                            (out / "checkpoint.cohort").string()));
  CHECK(run_json(out).at("status") == "interrupted");
  CHECK(temporaries(out).empty());
  // It resumes into the whole run.
  const Result resumed =
      run_cohort(dir, {"run", config.string(), "--resume", (out / "checkpoint.cohort").string(),
                       "--out", dir.str("resumed"), "--quiet"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed);
  CHECK(json::parse(read_file(dir / "resumed" / "summary.json")).at("steps") == 25);
}

TEST_CASE("a signal while the checkpoint is read ends the resume with exit 5 and a checkpoint") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const fs::path checkpoint = checkpoint_at_step_20(dir, config);
  const fs::path out = dir / "out";
  const Result r = run_signalled_at(dir, config, out, "resume", {"--resume", checkpoint.string()});
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  CHECK(contains(r.err, "interrupted at step 20; checkpoint written to " +
                            (out / "checkpoint.cohort").string()));
  CHECK(fs::is_regular_file(out / "checkpoint.cohort"));
  CHECK(temporaries(out).empty());
}

TEST_CASE("a signal while the final outputs are written exits 5 after writing all of them") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const fs::path out = dir / "out";
  const Result r = run_signalled_at(dir, config, out, "outputs");
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  CHECK(contains(r.err,
                 "interrupted while the final outputs were written; they were written in "
                 "full (all 25 steps ran)"));
  CHECK(run_json(out).at("status") == "completed");
  CHECK(json::parse(read_file(out / "summary.json")).at("steps") == 25);
  CHECK(temporaries(out).empty());
}

TEST_CASE("SIGHUP mid-run writes a checkpoint and exits 5") {
  const TempDir dir;
  const fs::path config = long_config(dir, kLongWalkers, kStoppedSteps);
  const fs::path out = dir / "out";
  Process run({"run", config.string(), "--out", out.string(), "--quiet", "--threads", "1"},
              dir.path());
  REQUIRE(wait_for(run, [&] { return lines_of(read_file(out / "metrics.csv")).size() >= 3; }));
  const bool signalled = run.signal(SIGHUP);
  const Result r = run.wait();
  if (!signalled) FAIL("the run ended before SIGHUP: " << r);
  REQUIRE_MESSAGE(r.exit_code == 5, r);
  CHECK(fs::is_regular_file(out / "checkpoint.cohort"));
  CHECK(run_json(out).at("status") == "interrupted");
}

TEST_CASE("a refusal with on_refusal: fail leaves the rows so far and run.json says refused") {
  const TempDir dir;
  Config c;
  c.budget = "{hard: 8B}";
  c.on_refusal = "fail";
  const fs::path config = write_config(dir, "c.yaml", c);
  const fs::path out = dir / "out";
  const Result r = run_cohort(dir, {"run", config.string(), "--out", out.string()});
  REQUIRE_MESSAGE(r.exit_code == 3, r);
  const std::vector<std::string> lines = lines_of(read_file(out / "metrics.csv"));
  REQUIRE(lines.size() == 2);  // the header and step 0: the first step is refused
  CHECK(lines[0] == kMetricsHeader);
  CHECK(lines[1].starts_with("0,2000,0,"));
  const json run = run_json(out);
  CHECK(run.at("status") == "refused");
  CHECK(contains(run.at("error").get<std::string>(), "memory budget refused: walkers/agent "));
}

TEST_CASE("an output directory that cannot be created fails with exit 4 before the model runs") {
  const TempDir dir;
  const fs::path config = long_config(dir, 10 * kLongWalkers);
  write_file(dir / "file", "");
  const Result r = run_cohort(dir, {"run", config.string(), "--out", dir.str("file") + "/out"});
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.err, "cannot create the output directory " + dir.str("file") + "/out"));
  CHECK_FALSE(contains(r.err, "step "));  // no step ran
}

TEST_CASE("resuming with --steps below the checkpoint's step exits 2 saying why") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const std::string checkpoint = checkpoint_at_step_20(dir, config).string();
  const Result r = run_cohort(dir, {"run", config.string(), "--resume", checkpoint, "--steps", "10",
                                    "--out", dir.str("resumed"), "--quiet"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "--set steps=10: steps: expected at least 20 (the step " + checkpoint +
                            " was written at; a resume continues from there), got 10"));
}

TEST_CASE("after a resume, timeline.csv and the monitor's alerts keep the steps before it") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  // An alert every run raises at step 0, long before the checkpoint at step 20.
  const std::vector<std::string> monitor{"--set", "monitor.every=2", "--set",
                                         "monitor.alerts.accounted.info=1B", "--quiet"};
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), monitor.begin(), monitor.end());
    return a;
  };
  const Result straight =
      run_cohort(dir, args({"run", config.string(), "--out", dir.str("straight")}));
  REQUIRE_MESSAGE(straight.exit_code == 0, straight);
  const Result first = run_cohort(dir, args({"run", config.string(), "--out", dir.str("first"),
                                             "--set", "output.checkpoint_every=20"}));
  REQUIRE_MESSAGE(first.exit_code == 0, first);
  const Result resumed =
      run_cohort(dir, args({"run", config.string(), "--resume",
                            dir.str("first") + "/checkpoint.cohort", "--out", dir.str("resumed")}));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed);

  auto steps_of = [](const fs::path& timeline) {
    std::vector<std::string> steps;
    for (const std::string& line : lines_of(read_file(timeline)))
      steps.push_back(line.substr(0, line.find(',')));
    return steps;
  };
  CHECK(steps_of(dir / "resumed" / "timeline.csv") == steps_of(dir / "straight" / "timeline.csv"));
  const json alerts = run_json(dir / "resumed").at("monitor").at("alerts");
  REQUIRE(alerts.size() >= 1);
  CHECK(alerts[0].at("step") == 0);
  CHECK(alerts[0].at("metric") == "accounted");
  CHECK(run_json(dir / "resumed").at("monitor").at("samples") ==
        run_json(dir / "straight").at("monitor").at("samples"));
  CHECK(read_file(dir / "resumed" / "metrics.csv") == read_file(dir / "straight" / "metrics.csv"));
}

TEST_CASE("metrics.csv holds reals as the shortest text that reads back the same") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const Result r = run_cohort(dir, {"run", config.string(), "--out", dir.str("out"), "--quiet"});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const std::vector<std::string> lines = lines_of(read_file(dir / "out" / "metrics.csv"));
  REQUIRE(lines.size() > 2);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream cells(lines[i]);
    for (std::string cell; std::getline(cells, cell, ',');) {
      CAPTURE(cell);
      double v = 0;
      const auto parsed = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      REQUIRE(parsed.ptr == cell.data() + cell.size());
      char shortest[32];
      const auto printed = std::to_chars(shortest, shortest + sizeof shortest, v);
      CHECK(std::string(shortest, printed.ptr) == cell);
    }
  }
}

TEST_CASE("memory-demo whose report cannot be written exits 4 and frees everything") {
  const TempDir dir;
  write_file(dir / "file", "");
  // Under the sanitizers a leak would end the process with a leak report instead.
  const Result r = run_cohort(dir, {"memory-demo", "--agents", "50", "--steps", "5", "--json",
                                    dir.str("file") + "/report.json"});
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.out, "cohort memory demo: 50 agents, 5 steps"));
}

TEST_CASE("a belief_agents output that cannot be written exits 4 and leaves no temporary") {
  const TempDir dir;
  const fs::path out = dir / "out";
  write_file(dir / "belief.yaml",
             "model: belief_agents\nseed: 5\nsteps: 5\nthreads: 1\noutput: {dir: " + out.string() +
                 "}\npopulations:\n  explorers: {size: 10}\nparameters:\n  width: 8\n  "
                 "height: 6\n  preferences: [0, 0, 0, 2]\n  history_agents: [0]\n  "
                 "trace_agents: [1]\n");
  // A directory where belief_history.csv should go: the rename over it fails.
  fs::create_directories(out / "belief_history.csv" / "occupied");
  const Result r = run_cohort(dir, {"run", dir.str("belief.yaml"), "--quiet"});
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.err, "cannot write " + (out / "belief_history.csv").string()));
  CHECK(temporaries(out).empty());
  CHECK(run_json(out).at("status") == "failed");
}

#ifndef COHORT_SANITIZED  // the sanitizers reserve terabytes of address space: no ulimit -v
TEST_CASE("running out of system memory exits 8 saying so, not as a budget refusal") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const fs::path out = dir / "out";
  // 16 million walkers need more than the 300 MB of address space the shell allows.
  const std::string command = "ulimit -v 300000 && exec " + std::string(COHORT_BINARY) + " run " +
                              config.string() + " --quiet --out " + out.string() +
                              " --set populations.walkers.size=16000000 2> " + dir.str("err.txt");
  const int status = std::system(("sh -c '" + command + "'").c_str());
  REQUIRE(WIFEXITED(status));
  const std::string err = read_file(dir / "err.txt");
  CHECK_MESSAGE(WEXITSTATUS(status) == 8, err);
  CHECK(contains(err,
                 "out of memory: the system could not provide an allocation (this is not a "
                 "budget refusal). Remedy: "));
  CHECK_FALSE(contains(err, "hard limit"));
  CHECK(run_json(out).at("status") == "failed");
}
#endif
