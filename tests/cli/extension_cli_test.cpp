// Extending and driving `cohort` end to end: plugins, sweeps, plots, models NAME, and the
// command line's own rules (exit codes written once, --log-level anywhere, defaults in --help).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cohort_process.hpp"
#include "exit_codes.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using cohort::testing::TempDir;
using namespace cohort::testing::cli;

namespace {

// A run of the plugin's model, with its plugin named in the config relative to the config.
fs::path write_savings_config(const TempDir& dir, const std::string& plugin_line) {
  const fs::path file = dir / "savings.yaml";
  write_file(file, "model: savings\n" + plugin_line +
                       "seed: 3\nsteps: 10\nthreads: 1\noutput: {dir: " + dir.str("default_out") +
                       ", every: 5}\npopulations:\n  savers: {size: 500}\n"
                       "parameters: {income: 5.0, spend_rate: 0.1}\n");
  return file;
}

std::vector<std::string> csv_lines(const fs::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("a plugin named with --plugin adds its model, and the run completes") {
  const TempDir dir;
  const fs::path config = write_savings_config(dir, "");
  const Result r = run_cohort(dir, {"run", config.string(), "--plugin", COHORT_SAVINGS_PLUGIN,
                                    "--quiet", "--no-profile", "--out", dir.str("out")});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const std::vector<std::string> metrics = csv_lines(dir / "out" / "metrics.csv");
  REQUIRE(metrics.size() == 4);  // header, steps 0, 5 and 10
  CHECK(metrics[0] == "step,savers,mean_cash");
  CHECK(metrics[1] == "0,500,100");
  CHECK(metrics[3].starts_with("10,500,"));
}

TEST_CASE("a plugin listed in the config is found relative to the config file") {
  const TempDir dir;
  fs::create_directories(dir / "lib");
  fs::copy_file(COHORT_SAVINGS_PLUGIN, dir / "lib" / "libsavings.so");
  const fs::path config = write_savings_config(dir, "plugins: [lib/libsavings.so]\n");
  // Run from another working directory: the path is the config's, not the caller's.
  const Result r = run_cohort(
      dir, {"run", config.string(), "--quiet", "--no-profile", "--out", dir.str("out")}, "/");
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(csv_lines(dir / "out" / "metrics.csv")[1] == "0,500,100");
  const Result models = run_cohort(dir, {"models", "savings", "--plugin", COHORT_SAVINGS_PLUGIN});
  REQUIRE_MESSAGE(models.exit_code == 0, models);
  CHECK(models.out.starts_with("savings\n  Savers earn a uniform random income"));
  CHECK_FALSE(contains(models.out, "random_walk"));
}

TEST_CASE("a plugin built against other cohort headers is refused with exit 2 naming both") {
  const TempDir dir;
  const fs::path config = write_savings_config(dir, "");
  const Result r =
      run_cohort(dir, {"run", config.string(), "--plugin", COHORT_STALE_PLUGIN, "--quiet"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, std::string("plugin ") + COHORT_STALE_PLUGIN +
                            " was built for cohort 0.0.1, plugin abi 0, gcc 9, cxx11 abi 1, but "
                            "this program is cohort 0.1.0, plugin abi 1"));
  CHECK(contains(r.err, "rebuild the plugin against this cohort's headers"));
  CHECK_FALSE(fs::exists(dir / "default_out"));
}

TEST_CASE("a library that is not a plugin, and a missing one, are refused with exit 2") {
  const TempDir dir;
  const fs::path config = write_savings_config(dir, "");
  Result r = run_cohort(dir, {"validate", config.string(), "--plugin", COHORT_NOT_A_PLUGIN});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, std::string("plugin ") + COHORT_NOT_A_PLUGIN +
                            ": not a cohort plugin (no cohort_plugin_abi"));
  r = run_cohort(dir, {"validate", config.string(), "--plugin", dir.str("missing.so")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "plugin " + dir.str("missing.so") + ": no such file"));
  write_file(dir / "junk.so", "not an ELF file");
  r = run_cohort(dir, {"validate", config.string(), "--plugin", dir.str("junk.so")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "plugin " + dir.str("junk.so") + ": cannot load: "));
}

TEST_CASE("a sweep over 2 keys x 2 values x 3 replicates records a failing design and goes on") {
  const TempDir dir;
  // hard: 8B refuses the first trail buffer, so with on_refusal: fail that design exits 3.
  const std::vector<std::string> args{"sweep",        "configs/quickstart.yaml",
                                      "--grid",       "populations.walkers.size=300,600",
                                      "--grid",       "populations.walkers.budget.hard=8B,320B",
                                      "--set",        "populations.walkers.on_refusal=fail",
                                      "--replicates", "3",
                                      "--jobs",       "2",
                                      "--steps",      "6",
                                      "--out",        dir.str("sweep")};
  const Result r = run_cohort(dir, args, COHORT_SOURCE_DIR);
  CHECK_MESSAGE(r.exit_code == 3, r);  // the first failed run's code, after every run ended
  CHECK(contains(r.err, "sweep [12/12]"));
  CHECK(contains(r.err, "ETA"));
  const std::vector<std::string> runs = csv_lines(dir / "sweep" / "sweep.csv");
  REQUIRE(runs.size() == 13);
  CHECK(runs[0] ==
        "run,point,replicate,populations.walkers.size,populations.walkers.budget.hard,seed,status,"
        "exit_code,message,step,walkers,mean_squared_displacement,mean_x,mean_y,"
        "trail_bytes_per_walker,frozen_trails");
  int failed = 0, finished = 0;
  std::vector<std::string> seeds;
  for (std::size_t i = 1; i < runs.size(); ++i) {
    if (contains(runs[i], ",8B,")) {
      CHECK(contains(runs[i], ",failed,3,\"memory budget refused: walkers/agent "));
      ++failed;
    } else {
      CHECK(contains(runs[i], ",finished,0,,6,"));
      ++finished;
    }
    seeds.push_back(runs[i].substr(0, runs[i].find(",finished")));
  }
  CHECK(failed == 6);
  CHECK(finished == 6);
  // Replicate seeds are derived from the config's seed: equal across designs, distinct across
  // replicates.
  CHECK(runs[1].substr(runs[1].rfind(",8B,") + 4, 10) !=
        runs[2].substr(runs[2].rfind(",8B,") + 4, 10));
  const std::vector<std::string> steps = csv_lines(dir / "sweep" / "sweep_steps.csv");
  CHECK(steps.size() == 1 + 6 * 2);  // quickstart reports every 10 steps: steps 0 and 6
  const std::vector<std::string> summary = csv_lines(dir / "sweep" / "sweep_summary.csv");
  CHECK(summary[0] ==
        "point,populations.walkers.size,populations.walkers.budget.hard,metric,runs,failed,mean,"
        "sd,ci95_low,ci95_high");
  CHECK(contains(read_file(dir / "sweep" / "sweep_summary.csv"), "\n2,300,320B,walkers,3,0,"));
  CHECK(contains(read_file(dir / "sweep" / "sweep_summary.csv"), "\n1,300,8B,walkers,0,3,,,,\n"));
  CHECK(contains(read_file(dir / "sweep" / "runs" / "p0002_r01" / "config.resolved.yaml"),
                 "hard: 320\n"));

  // --resume keeps the finished runs and reruns only the failed ones.
  const fs::path kept = dir / "sweep" / "runs" / "p0002_r01" / "metrics.csv";
  const auto stamp = fs::last_write_time(kept);
  std::vector<std::string> resume = args;
  resume.push_back("--resume");
  const Result again = run_cohort(dir, resume, COHORT_SOURCE_DIR);
  CHECK_MESSAGE(again.exit_code == 3, again);
  CHECK(contains(again.err, "sweep: 6 of 12 runs already finished"));
  CHECK(contains(again.err, "sweep [6/6]"));
  CHECK(fs::last_write_time(kept) == stamp);
  CHECK(csv_lines(dir / "sweep" / "sweep.csv") == runs);
  // Without --resume a finished sweep folder is not overwritten.
  const Result refused = run_cohort(dir, args, COHORT_SOURCE_DIR);
  CHECK_MESSAGE(refused.exit_code == 2, refused);
  CHECK(contains(refused.err, "already holds a sweep; pass --resume"));
}

TEST_CASE("a sweep validates every design before running any") {
  const TempDir dir;
  const Result r = run_cohort(dir,
                              {"sweep", "configs/quickstart.yaml", "--grid",
                               "parameters.width=50,0", "--out", dir.str("sweep")},
                              COHORT_SOURCE_DIR);
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "sweep design 2: "));
  CHECK(contains(r.err, "parameters.width"));
  CHECK_FALSE(fs::exists(dir / "sweep"));
}

TEST_CASE("plot draws metrics and memory PNGs in a run folder whose name has an apostrophe") {
  const TempDir dir;
  const fs::path out = dir / "it's here";
  Result r = run_cohort(dir,
                        {"run", "configs/quickstart.yaml", "--steps", "20", "--threads", "1",
                         "--set", "populations.walkers.size=500", "--set", "monitor.every=2",
                         "--quiet", "--no-profile", "--out", out.string()},
                        COHORT_SOURCE_DIR);
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  r = run_cohort(dir, {"plot", out.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  for (const char* png : {"metrics.png", "memory.png"}) {
    CAPTURE(png);
    const std::string bytes = read_file(out / png);
    REQUIRE(bytes.size() > 1000);
    CHECK(bytes.substr(1, 3) == "PNG");
  }
  CHECK_FALSE(contains(read_file(out / "memory.gp"), out.string()));
}

TEST_CASE("plot draws the agents' positions at the last snapshot, coloured by a column") {
  const TempDir dir;
  const fs::path out = dir / "out";
  Result r =
      run_cohort(dir,
                 {"run", "configs/quickstart.yaml", "--steps", "20", "--threads", "1", "--set",
                  "populations.walkers.size=300", "--set", "output.snapshots.every=10", "--quiet",
                  "--no-profile", "--out", out.string()},
                 COHORT_SOURCE_DIR);
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  r = run_cohort(dir, {"plot", out.string(), "--color", "displacement.dx"});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const std::string bytes = read_file(out / "positions_walkers.png");
  REQUIRE(bytes.size() > 1000);
  CHECK(bytes.substr(1, 3) == "PNG");
  // The script draws step 20's rows: x and y are columns 3 and 4, the colour column 5.
  const std::string script = read_file(out / "positions.gp");
  CHECK(contains(script, "using ($1==20?$3:1/0):4:5"));
  CHECK(contains(script, "set cblabel 'displacement.dx'"));
}

TEST_CASE("plot of a folder without run outputs exits 4") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"plot", dir.str("")});
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.err, "holds neither metrics.csv nor timeline.csv"));
}

TEST_CASE("models NAME shows one model, and an unknown name exits 2 with a suggestion") {
  const TempDir dir;
  Result r = run_cohort(dir, {"models", "random_walk"});
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(r.out.starts_with("random_walk\n"));
  CHECK_FALSE(contains(r.out, "gene_network"));
  r = run_cohort(dir, {"models", "random_wlak"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "no model named 'random_wlak'; did you mean 'random_walk'?"));
}

TEST_CASE("--log-level works after the subcommand as before it") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"validate", "configs/quickstart.yaml", "--log-level", "warn"},
                              COHORT_SOURCE_DIR);
  CHECK_MESSAGE(r.exit_code == 0, r);
  const Result bad = run_cohort(dir, {"models", "--log-level", "loud"});
  CHECK_MESSAGE(bad.exit_code == 2, bad);
}

TEST_CASE("--help of a subcommand shows the defaults") {
  const TempDir dir;
  const Result r = run_cohort(dir, {"sweep", "--help"});
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(contains(r.out, "--replicates UINT:UINT in [1 - 10000]=1"));
  CHECK(contains(r.out, "--out TEXT=out/sweep"));
  CHECK(contains(r.out, "--threads UINT=1"));
}

TEST_CASE("the README's exit code table is the one in exit_codes.hpp") {
  const std::string readme = read_file(fs::path(COHORT_SOURCE_DIR) / "README.md");
  std::string table = "| exit code | meaning |\n| --- | --- |\n";
  for (const cohort::cli::ExitCodeMeaning& e : cohort::cli::kExitCodes)
    table += "| " + std::to_string(e.code) + " | " + e.meaning + " |\n";
  CHECK_MESSAGE(contains(readme, table), "the README should hold, verbatim:\n" << table);
}

TEST_CASE("a relative output.dir is relative to the working directory, not to the config") {
  const TempDir dir;
  fs::create_directories(dir / "configs");
  fs::create_directories(dir / "work");
  write_file(dir / "configs" / "c.yaml",
             "model: random_walk\nsteps: 2\nthreads: 1\noutput: {dir: results}\n"
             "populations:\n  walkers: {size: 50}\n");
  const Result r =
      run_cohort(dir, {"run", dir.str("configs/c.yaml"), "--quiet", "--no-profile"}, dir / "work");
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(fs::exists(dir / "work" / "results" / "metrics.csv"));
  CHECK_FALSE(fs::exists(dir / "configs" / "results"));
}
