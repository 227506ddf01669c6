// Per-agent snapshots (output.snapshots): one tidy CSV per population, written as the run goes,
// continued exactly by a resume into the same folder.
#include <doctest/doctest.h>

#include <cstdlib>

#include "cli/cohort_process.hpp"

namespace fs = std::filesystem;
using namespace cohort::testing::cli;

namespace {

std::vector<std::string> snapshot_run(const fs::path& config, const std::string& out,
                                      std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run",   config.string(),           "--out", out, "--quiet",
                                "--set", "output.snapshots.every=5"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("snapshots hold step, uid and every numeric column of every agent at each due step") {
  const TempDir dir;
  Config c;
  c.walkers = 30;
  c.steps = 10;
  const fs::path config = write_config(dir, "c.yaml", c);
  const Result r = run_cohort(dir, snapshot_run(config, dir.str("out")));
  REQUIRE_MESSAGE(r.exit_code == 0, r);
  const std::vector<std::string> rows = lines_of(read_file(dir / "out" / "snapshots_walkers.csv"));
  REQUIRE(!rows.empty());
  CHECK(rows[0] == "step,uid,cell.x,cell.y,displacement.dx,displacement.dy");
  std::size_t at_step_0 = 0, at_step_5 = 0, at_step_10 = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::string step = rows[i].substr(0, rows[i].find(','));
    at_step_0 += step == "0";
    at_step_5 += step == "5";
    at_step_10 += step == "10";
  }
  CHECK(at_step_0 == 30);  // births and deaths change the later counts
  CHECK(at_step_5 > 0);
  CHECK(at_step_10 > 0);
  CHECK(at_step_0 + at_step_5 + at_step_10 == rows.size() - 1);
  // The first walker starts where it was born: zero displacement.
  CHECK(rows[1].starts_with("0,0,"));
  CHECK(rows[1].ends_with(",0,0"));
}

TEST_CASE("a snapshot column that the model does not have exits 2 naming the key and the choices") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  const Result r = run_cohort(
      dir, snapshot_run(config, dir.str("out"), {"--set", "output.snapshots.columns=[cells]"}));
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err,
                 "output.snapshots.columns[0]: expected a column that holds numbers "
                 "(cell, displacement), got 'cells'; did you mean 'cell'?"));
}

TEST_CASE("a resume into the same folder continues the snapshots as if never stopped") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});  // 25 steps
  const Result straight = run_cohort(dir, snapshot_run(config, dir.str("straight")));
  REQUIRE_MESSAGE(straight.exit_code == 0, straight);
  // The first run goes on past its checkpoint at step 20: the resume must drop rows 21-25 first.
  const Result first = run_cohort(
      dir, snapshot_run(config, dir.str("first"), {"--set", "output.checkpoint_every=20"}));
  REQUIRE_MESSAGE(first.exit_code == 0, first);
  const Result resumed =
      run_cohort(dir, snapshot_run(config, dir.str("first"),
                                   {"--resume", dir.str("first") + "/checkpoint.cohort"}));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed);
  CHECK(read_file(dir / "first" / "snapshots_walkers.csv") ==
        read_file(dir / "straight" / "snapshots_walkers.csv"));
}

TEST_CASE("compressed snapshots are gzip members that a resume cuts and continues exactly") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});  // 25 steps
  const std::vector<std::string> gz{"--set", "output.snapshots.compress=true"};
  auto with = [&](std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  REQUIRE(run_cohort(dir, snapshot_run(config, dir.str("plain"))).exit_code == 0);
  REQUIRE(run_cohort(dir, snapshot_run(config, dir.str("straight"), gz)).exit_code == 0);
  REQUIRE(run_cohort(dir, snapshot_run(config, dir.str("first"),
                                       with(gz, {"--set", "output.checkpoint_every=20"})))
              .exit_code == 0);
  const Result resumed = run_cohort(
      dir, snapshot_run(config, dir.str("first"),
                        with(gz, {"--resume", dir.str("first") + "/checkpoint.cohort"})));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed);
  const std::string straight = read_file(dir / "straight" / "snapshots_walkers.csv.gz");
  CHECK(straight.substr(0, 2) == "\x1f\x8b");  // the gzip magic
  CHECK(read_file(dir / "first" / "snapshots_walkers.csv.gz") == straight);
  // Decompressed, the members are the uncompressed file.
  const std::string zcat = "zcat '" + dir.str("straight") + "/snapshots_walkers.csv.gz' > '" +
                           dir.str("unzipped.csv") + "'";
  REQUIRE(std::system(zcat.c_str()) == 0);
  CHECK(read_file(dir / "unzipped.csv") == read_file(dir / "plain" / "snapshots_walkers.csv"));
}

TEST_CASE("a run without snapshots removes those an earlier run left in its folder") {
  const TempDir dir;
  const fs::path config = write_config(dir, "c.yaml", {});
  REQUIRE(run_cohort(dir, snapshot_run(config, dir.str("out"))).exit_code == 0);
  REQUIRE(fs::exists(dir / "out" / "snapshots_walkers.csv"));
  const Result plain =
      run_cohort(dir, {"run", config.string(), "--out", dir.str("out"), "--quiet"});
  REQUIRE_MESSAGE(plain.exit_code == 0, plain);
  CHECK_FALSE(fs::exists(dir / "out" / "snapshots_walkers.csv"));
}
