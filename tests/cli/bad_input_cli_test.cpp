// Hostile and unlucky input end to end (issue 14): each case once crashed `cohort`, hung it, ran
// something, or was accepted by `validate` and then refused by `run`. Every one must now be a
// clear error with a location and exit code, or a correct result.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cohort_process.hpp"
#include "support/temp_dir.hpp"

#ifndef COHORT_SOURCE_DIR
#error "COHORT_SOURCE_DIR must name the repository root"
#endif

namespace fs = std::filesystem;
using cohort::testing::contains;
using cohort::testing::read_file;
using cohort::testing::Result;
using cohort::testing::run_cohort;
using cohort::testing::TempDir;
using cohort::testing::write_file;

namespace {

// A small gene_network run whose network comes from `edges.txt` next to the config.
fs::path write_gene_config(const TempDir& dir, const std::string& extra = "") {
  write_file(dir / "edges.txt", "0 1 0.5\n1 2 -0.25\n2 0 0.125\n");
  const fs::path config = dir / "genes.yaml";
  write_file(config,
             "model: gene_network\nseed: 3\nsteps: 5\nthreads: 1\noutput: {dir: " + dir.str("out") +
                 "}\npopulations: {individuals: {size: 40}}\nparameters:\n  genes: 3\n"
                 "  network: {file: {path: edges.txt}}\n" +
                 extra);
  return config;
}

fs::path write_belief_config(const TempDir& dir, const std::string& parameters) {
  const fs::path config = dir / "belief.yaml";
  write_file(config, "model: belief_agents\nsteps: 2\nthreads: 1\noutput: {dir: " + dir.str("out") +
                         "}\npopulations: {explorers: {size: 5}}\nparameters:\n" + parameters);
  return config;
}

}  // namespace

TEST_CASE("profiles list, show and trend skip a profile whose name is a number, with a warning") {
  const TempDir dir("cohort_bad_input");
  fs::create_directories(dir / "store");
  write_file(dir / "store" / "20260101T000000.000Z.json",
             R"({"name": "nightly", "config_hash": "abc", "seconds_per_step": 1.0})");
  write_file(dir / "store" / "20260102T000000.000Z.json", R"({"name": 5, "config_hash": "abc"})");
  const std::string store = dir.str("store");
  for (const std::vector<std::string>& action :
       {std::vector<std::string>{"list"}, {"show", "20260101"}, {"trend", "nightly"}}) {
    std::vector<std::string> args{"profiles", "--profiles", store};
    args.insert(args.end(), action.begin(), action.end());
    CAPTURE(action.front());
    const Result r = run_cohort(dir, args);
    CHECK_MESSAGE(r.exit_code == 0, r);
    CHECK(contains(r.err,
                   "20260102T000000.000Z.json: \"name\" is number, expected a string; "
                   "skipped"));
    CHECK(contains(r.out, "nightly"));
  }
}

TEST_CASE(
    "bench plots into a folder named with an apostrophe and a gnuplot command, running none") {
  if (!fs::exists("/usr/bin/gnuplot")) return;  // scripts/setup.sh installs it
  const TempDir dir("cohort_bad_input");
  // Each quote would end gnuplot's string and run system('touch ...') in a pasted script.
  const fs::path out = dir / "b'.system('touch pwned').'";
  const Result r = run_cohort(
      dir,
      {"bench", "configs/quickstart.yaml", "--scale", "populations.walkers.size=200,400,800",
       "--repeat", "1", "--steps", "3", "--threads", "1", "--out", out.string()},
      COHORT_SOURCE_DIR);
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(fs::file_size(out / "bench.png") > 1000);
  CHECK_FALSE(fs::exists(fs::path(COHORT_SOURCE_DIR) / "pwned"));
  CHECK_FALSE(fs::exists(out / "pwned"));
  CHECK_FALSE(fs::exists(dir / "pwned"));
}

TEST_CASE("a null value is an error, not the schema default") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  Result r = run_cohort(dir, {"validate", config.string(), "--set", "steps="});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(
      contains(r.err, "--set steps=: steps: expected an integer in [1, 1099511627776], got null"));
  // The schema's default directory is relative: run where it would land.
  r = run_cohort(dir, {"run", config.string(), "--out", ""}, dir.path());
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "output.dir: expected a directory path (not empty), got ''"));
  CHECK_FALSE(fs::exists(dir / "out" / "gene_network"));

  write_file(dir / "null.yaml", "model: random_walk\nsteps:\nparameters: {width: 5}\n");
  r = run_cohort(dir, {"validate", dir.str("null.yaml")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, dir.str("null.yaml") + ":2:"));
  CHECK(contains(r.err, "steps: expected an integer in [1, 1099511627776], got null"));
  // A section may still be left empty: `output:` alone means every output default.
  write_file(dir / "section.yaml", "model: random_walk\noutput:\n");
  r = run_cohort(dir, {"validate", dir.str("section.yaml")});
  CHECK_MESSAGE(r.exit_code == 0, r);
}

TEST_CASE("--out is a path whatever YAML would make of it") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  const std::string odd = dir.str("#1: [yes]");
  const Result r =
      run_cohort(dir, {"run", config.string(), "--quiet", "--no-profile", "--out", odd});
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(fs::exists(fs::path(odd) / "metrics.csv"));
}

TEST_CASE("--threads -1 and a --seed beyond 2^63-1 are reported as given") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  Result r = run_cohort(dir, {"validate", config.string(), "--threads", "-1"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, "threads: expected an integer in [0, 1024], got -1\n"));
  r = run_cohort(dir, {"validate", config.string(), "--seed", "18446744073709551615"});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err,
                 "seed: expected an integer >= 0, got 18446744073709551615 (beyond the "
                 "largest integer, 2^63-1)"));
  r = run_cohort(dir, {"validate", config.string(), "--seed", "9223372036854775807"});
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(contains(r.out, "seed 9223372036854775807"));
}

TEST_CASE("YAML nested beyond the parser's limit is reported as nesting, at its line") {
  const TempDir dir("cohort_bad_input");
  write_file(dir / "deep.yaml", "model: random_walk\nparameters: " + std::string(3000, '[') +
                                    std::string(3000, ']') + "\n");
  const Result r = run_cohort(dir, {"validate", dir.str("deep.yaml")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, dir.str("deep.yaml") + ":2:"));
  CHECK(contains(r.err, "levels deep, beyond the parser's limit"));
  CHECK_FALSE(contains(r.err, "bad file"));
}

TEST_CASE("a YAML alias bomb is refused at an alias with exit 2, not expanded") {
  const TempDir dir("cohort_bad_input");
  // 10 values, each level 10 uses of the one before: 10^9 values in about 1 KB.
  std::string yaml =
      "model: gene_network\nparameters:\n  genes: 2\n  fitness:\n    epistatic:\n"
      "      matrix: [[0, 0]]\nbomb:\n  l0: &l0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n";
  for (int level = 1; level <= 8; ++level) {
    const std::string prev = "*l" + std::to_string(level - 1);
    yaml += "  l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i)
      yaml += (i ? ", " : "") + prev;
    yaml += "]\n";
  }
  write_file(dir / "bomb.yaml", yaml);
  const Result r = run_cohort(dir, {"validate", dir.str("bomb.yaml")});
  CHECK_MESSAGE(r.exit_code == 2, r);
  CHECK(contains(r.err, dir.str("bomb.yaml") + ":8:"));
  CHECK(contains(r.err, "bomb.l6[0]"));
  CHECK(contains(r.err,
                 "counting each use of a YAML alias (*name) as a copy, got more (nested "
                 "aliases expand too far)"));
}

TEST_CASE("an edge file that is a FIFO or a device is refused without reading it") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  REQUIRE(::mkfifo(dir.str("fifo").c_str(), 0600) == 0);
  for (const std::string& path : {dir.str("fifo"), std::string("/dev/urandom")}) {
    CAPTURE(path);
    const Result r = run_cohort(
        dir, {"validate", config.string(), "--set", "parameters.network.file.path=" + path});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err, "parameters.network.file.path: expected a readable edge file, got '" +
                              path + "' (not a regular file)"));
  }
}

TEST_CASE("resuming gene_network after its edge file changed is refused, naming the file") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  const Result first = run_cohort(dir, {"run", config.string(), "--quiet", "--no-profile", "--set",
                                        "output.checkpoint_every=2"});
  REQUIRE_MESSAGE(first.exit_code == 0, first);
  const fs::path checkpoint = dir / "out" / "checkpoint.cohort";
  REQUIRE(fs::exists(checkpoint));
  const std::vector<std::string> resume{
      "run",   config.string(),    "--resume", checkpoint.string(),
      "--out", dir.str("resumed"), "--quiet",  "--no-profile"};
  // The same file resumes; one weight changed does not.
  CHECK(run_cohort(dir, resume).exit_code == 0);
  write_file(dir / "edges.txt", "0 1 0.5\n1 2 -0.25\n2 0 0.25\n");
  const Result r = run_cohort(dir, resume);
  CHECK_MESSAGE(r.exit_code == 4, r);
  CHECK(contains(r.err, "seed or the contents of " + dir.str("edges.txt") + " differ)"));
}

TEST_CASE("validate refuses a belief map with a bad cell or a ragged line, as run would") {
  const TempDir dir("cohort_bad_input");
  for (const char* command : {"validate", "run"}) {
    CAPTURE(command);
    Result r = run_cohort(
        dir, {command, write_belief_config(dir, "  map: \"0120\\n01x0\\n\"\n").string()});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err,
                   "parameters.map: expected one digit 0..3 per cell, every line as long as "
                   "the first, got map line 2 column 3: 'x' is not a cell type 0..3"));
    r = run_cohort(dir, {command, write_belief_config(dir, "  map: \"0120\\n012\\n\"\n").string()});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err, "got map line 2 has 3 cells; expected 4"));
  }
}

TEST_CASE("validate refuses obstacles that cover every cell, as run would") {
  const TempDir dir("cohort_bad_input");
  for (const std::string& parameters :
       {std::string("  map: \"0110\\n1001\\n\"\n  obstacles: [0, 1]\n"),
        std::string("  densities: [1, 0, 0, 0]\n  obstacles: [0]\n")}) {
    CAPTURE(parameters);
    const Result r = run_cohort(dir, {"validate", write_belief_config(dir, parameters).string()});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err, "parameters.obstacles: expected obstacles that leave at least one cell"));
    CHECK(contains(r.err, "got every cell is an obstacle"));
  }
  // The same obstacles with one open cell left are fine.
  const Result ok = run_cohort(
      dir, {"validate",
            write_belief_config(dir, "  map: \"0110\\n1021\\n\"\n  obstacles: [0, 1]\n").string()});
  CHECK_MESSAGE(ok.exit_code == 0, ok);
}

TEST_CASE("validate refuses a genome larger than this machine's memory, with the estimate") {
  const TempDir dir("cohort_bad_input");
  const fs::path config = write_gene_config(dir);
  // 65536 genes x 16 million individuals x 8 bytes: 8 TiB.
  for (const char* command : {"validate", "run"}) {
    CAPTURE(command);
    const Result r = run_cohort(
        dir, {command, config.string(), "--set", "parameters.network=none", "--set",
              "parameters.genes=65536", "--set", "populations.individuals.size=16000000"});
    CHECK_MESSAGE(r.exit_code == 2, r);
    CHECK(contains(r.err, "parameters.genes: expected a run that fits in this machine's memory ("));
    CHECK(contains(r.err,
                   "got 65536 genes x 16000000 individuals, an estimated 7812.9 GiB "
                   "(genomes 7812.5 GiB, network 0.0 GiB)"));
  }
}

TEST_CASE("validate and run refuse agents that cannot fit in memory, with the estimate") {
  const TempDir dir("cohort_bad_input");
  // 4 billion walkers (under the id limit) need at least 20 B each of the engine's own: 74.5 GiB;
  // 4 billion atoms at least 140 B each: 521.5 GiB. Neither is allocated: exit 2 at the key (on
  // machines of under 74.5 GiB, as CI's).
  struct Case {
    std::string config, set, key, got;
  };
  for (const Case& c :
       {Case{std::string(COHORT_SOURCE_DIR) + "/configs/quickstart.yaml",
             "populations.walkers.size=4000000000", "populations.walkers.size",
             "got 4000000000 agents, an estimated 74.5 GiB at least (20 B per agent)"},
        Case{std::string(COHORT_SOURCE_DIR) + "/configs/lj_melt.yaml",
             "populations.atoms.size=4000000000", "populations.atoms.size",
             "got 4000000000 agents, an estimated 521.5 GiB at least (140 B per agent)"}}) {
    for (const char* command : {"validate", "run"}) {
      CAPTURE(c.key);
      CAPTURE(command);
      const Result r =
          run_cohort(dir, {command, c.config, "--set", c.set, "--out", (dir / "out").string()});
      CHECK_MESSAGE(r.exit_code == 2, r);
      CHECK(contains(r.err, c.key + ": expected agents that fit in this machine's memory ("));
      CHECK(contains(r.err, c.got));
      CHECK(!fs::exists(dir / "out" / "metrics.csv"));
    }
  }
}

TEST_CASE("random_walk on a 65535 x 65535 grid numbers cells beyond 2^31 without overflow") {
  const TempDir dir("cohort_bad_input");
  // UBSan stopped this run at the first walker past row 32768; a release build wrapped silently.
  const Result r = run_cohort(dir,
                              {"run", "configs/quickstart.yaml", "--quiet", "--no-profile",
                               "--steps", "3", "--threads", "1", "--out", dir.str("out"), "--set",
                               "parameters.width=65535", "--set", "parameters.height=65535",
                               "--set", "populations.walkers.size=200", "--set", "output.every=1"},
                              COHORT_SOURCE_DIR);
  CHECK_MESSAGE(r.exit_code == 0, r);
  CHECK(contains(read_file(dir / "out" / "metrics.csv"), "\n3,"));
}
