// `cohort bench` scaling several keys together (repeated --scale, zipped) and counting agents
// that are not a population's (--agents-metric), end to end through the built binary. Small
// grids and 2 steps: each bench here takes well under a second.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cohort_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace cohort::testing;  // run_cohort, Result, TempDir, read_file, contains

namespace {

using Args = std::vector<std::string>;

// `cohort bench CONFIG args... --steps 2 --repeat 1 --threads 1 --out OUT` in the source tree.
Result bench(const TempDir& dir, const std::string& config, Args args, const fs::path& out) {
  Args all{"bench", config};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--steps", "2", "--repeat", "1", "--threads", "1", "--out", out.string()});
  return run_cohort(dir, all, COHORT_SOURCE_DIR);
}

// ForestFire's trees at step 0 in `run`'s metrics.csv (its last column).
long step0_trees(const fs::path& run) {
  const std::vector<std::string> lines = cli::lines_of(read_file(run / "metrics.csv"));
  REQUIRE(lines.size() >= 2);
  REQUIRE(lines[0] == "step,burnt_fraction,burning,burnt,trees");
  REQUIRE(lines[1].rfind("0,", 0) == 0);
  return std::stol(lines[1].substr(lines[1].rfind(',') + 1));
}

// Runs a bench that must stop with exit 2 before running anything, saying each of `messages`.
void check_refused_before_running(const std::string& config, const Args& args,
                                  const std::vector<std::string>& messages) {
  const TempDir dir("cohort_bench_scale");
  const Result r = bench(dir, config, args, dir / "b");
  CHECK_MESSAGE(r.exit_code == 2, r);
  for (const std::string& m : messages)
    CHECK_MESSAGE(contains(r.err, m), r.err);
  CHECK_FALSE(fs::exists(dir / "b"));
}

const Args kSchellingScales{"--scale", "space.dimensions=[10,10],[20,20],[40,40]", "--scale",
                            "populations.agents.size=60,240,960"};
const Args kForestScales{"--scale", "space.dimensions=[10,10],[20,20],[40,40]"};

// ForestFire's small case on 10 x 10, 20 x 20 and 40 x 40 cells, its agents counted by
// `agents_metric`, into dir/b.
Result forest_bench(const TempDir& dir, const std::string& agents_metric) {
  Args args = kForestScales;
  args.insert(args.end(), {"--agents-metric", agents_metric});
  return bench(dir, "configs/forest_fire_small.yaml", args, dir / "b");
}

}  // namespace

TEST_CASE("bench scales a grid and its agents together when --scale is repeated") {
  const TempDir dir("cohort_bench_scale");
  const Result r = bench(dir, "configs/schelling_small.yaml", kSchellingScales, dir / "b");
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  CHECK(contains(r.err,
                 "bench [2/3] space.dimensions=[20,20] populations.agents.size=240 rep 1: "
                 "240 agents"));
  const auto j = nlohmann::json::parse(read_file(dir / "b" / "bench.json"));
  CHECK(j["keys"] == nlohmann::json::array({"space.dimensions", "populations.agents.size"}));
  CHECK_FALSE(j.contains("key"));
  REQUIRE(j["scales"].size() == 3);
  CHECK(j["scales"][1]["scale"] == "[20,20];240");
  CHECK(j["scales"][1]["values"]["space.dimensions"] == "[20,20]");
  CHECK(j["scales"][1]["values"]["populations.agents.size"] == "240");
  CHECK(j["scales"][2]["agents"] == 960);
  CHECK(j["fit"]["time_per_step"]["points"] == 3);
  CHECK(j["agents_from"] == "agents at step 0 (timeline.csv)");
  // The label holds a comma, so the CSV quotes it.
  const auto rows = cli::lines_of(read_file(dir / "b" / "bench_runs.csv"));
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].rfind("\"[10,10];60\",60,", 0) == 0);
}

TEST_CASE("bench fits a grid model over the trees it planted with --agents-metric") {
  const TempDir dir("cohort_bench_scale");
  const Result r = forest_bench(dir, "trees");
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const auto j = nlohmann::json::parse(read_file(dir / "b" / "bench.json"));
  CHECK(j["agents_from"] == "metric trees at step 0 (metrics.csv)");
  CHECK(j["baseline_rss"].is_null());  // no population to empty: total RSS is fitted
  CHECK(j["fit"]["peak_rss"]["above_baseline"] == false);
  REQUIRE(j["scales"].size() == 3);
  for (int run = 1; run <= 3; ++run) {
    const long trees = step0_trees(dir / "b" / "runs" / std::to_string(run));
    const long cells = 100L << (2 * (run - 1));
    CHECK(j["scales"][run - 1]["agents"] == trees);
    CHECK(trees > cells / 2);  // density 0.7
    CHECK(trees < cells);
  }
}

TEST_CASE("bench refuses zipped --scale options of different lengths before running") {
  check_refused_before_running(
      "configs/schelling_small.yaml",
      {"--scale", "space.dimensions=[10,10],[20,20],[40,40]", "--scale",
       "populations.agents.size=60,240"},
      {"--scale populations.agents.size=60,240 gives 2 value(s) but --scale "
       "space.dimensions=[10,10],[20,20],[40,40] gives 3"});
}

TEST_CASE("bench refuses a zipped configuration the model rejects, naming the options") {
  check_refused_before_running("configs/schelling_small.yaml",
                               {"--scale", "space.dimensions=[10,10],[20,20],[40,40]", "--scale",
                                "populations.agents.size=60,240,2000"},
                               {"--scale space.dimensions=[10,10],[20,20],[40,40] --scale "
                                "populations.agents.size=60,240,2000: ",
                                "1600 cells"});
}

TEST_CASE("bench on a model without agents points to --agents-metric before running") {
  check_refused_before_running("configs/forest_fire_small.yaml", kForestScales,
                               {"space.dimensions gives 1 distinct configured population "
                                "size(s); a scaling fit needs 3",
                                "count them with --agents-metric METRIC"});
}

TEST_CASE("bench names the model's metrics when --agents-metric is not one of them") {
  const TempDir dir("cohort_bench_scale");
  const Result r = forest_bench(dir, "oaks");
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err,
                 "--agents-metric oaks: the model has no metric oaks; expected one of its "
                 "metrics.csv columns (burnt_fraction, burning, burnt, trees)"));
  CHECK_FALSE(fs::exists(dir / "b" / "bench.json"));
}
