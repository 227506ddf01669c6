// Checkpoints hold content, never addresses: two processes checkpointing the same run write the
// same bytes, and resuming continues exactly as the uninterrupted run, for every built-in model,
// budgets binding included.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using cohort::testing::TempDir;

namespace {

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the cohort binary; returns its exit code. Arguments are our own paths and numbers.
int cohort(const std::string& args, const fs::path& log) {
  const std::string command = std::string(COHORT_BINARY) + " run " + args +
                              " --quiet --no-profile > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Case {
  const char* name;
  std::string config;                         // a run config of a few seconds at most
  std::vector<std::string> model_files = {};  // the model's own outputs, also compared
};

Case random_walk_case() {
  return {"random_walk", R"(model: random_walk
seed: 7
steps: 40
threads: 2
output: {every: 5}
populations:
  walkers: {size: 3000, budget: {hard: 200B}, on_refusal: freeze}
parameters: {width: 60, height: 60, birth_rate: 0.02, death_rate: 0.02, trail_capacity: 64}
)"};
}

Case belief_case(const char* budget) {
  // A per-agent budget that binds: history is evicted and beliefs pruned while the run goes on.
  return {"belief_agents",
          std::string(R"(model: belief_agents
seed: 3
steps: 40
threads: 2
output: {every: 5}
populations:
  explorers: {size: 400, budget: {hard: )") +
              budget + R"(}, on_refusal: freeze}
parameters:
  width: 6
  height: 6
  history: {capacity: 1024, block_entries: 16, codec: lz4}
  reclaim: [evict_history, prune_beliefs]
  trace_agents: [1, 7]
)",
          {"belief_trace.csv"}};
}

Case gene_network_case() {
  return {"gene_network", R"(model: gene_network
seed: 11
steps: 40
threads: 2
output: {every: 5}
populations:
  individuals: {size: 300}
parameters:
  genes: 20
  network: {random: {density: 0.2, weight_min: -0.5, weight_max: 0.5, seed: 5}}
  selection: {tournament: {size: 3}}
  mutation: {point: {rate: 0.1, magnitude: 0.05}}
)"};
}

Case forest_fire_case() {
  return {"forest_fire", R"(model: forest_fire
seed: 5
steps: 40
threads: 2
output: {every: 5}
space: {dimensions: [200, 150]}  # 30,000 cells: two planting blocks
parameters: {density: 0.65}
)"};
}

Case schelling_case() {
  return {"schelling", R"(model: schelling
seed: 9
steps: 40
threads: 2
output: {every: 5}
populations:
  agents: {size: 500}
space: {dimensions: [30, 30], neighbourhood: {radius: 2}}
parameters: {min_to_be_happy: 9}
)"};
}

Case wolf_sheep_case() {
  // The sheep's population budget binds (from step 5; 157 births refused by step 15): births are
  // refused and counted, across the resume too.
  return {"wolf_sheep", R"(model: wolf_sheep
seed: 13
steps: 40
threads: 2
output: {every: 5}
populations:
  sheep: {size: 100, population_budget: {hard: 16KiB}, on_refusal: freeze}
  wolves: {size: 30}
space: {dimensions: [25, 25]}
parameters: {sheep_reproduce: 0.4, regrowth_time: 10}
)"};
}

Case flocking_case(const char* query, const char* schedule = "random", int birds = 300,
                   double side = 60) {
  // Random schedule: sequential activation with bins that follow each move; the resumed run
  // re-bins from the restored positions and puts the rows back in their order. Simultaneous:
  // fixed-point sums, the rows' order does not matter.
  return {"flocking",
          "model: flocking\nseed: 21\nsteps: 40\nthreads: 2\noutput: {every: 5}\n"
          "populations:\n  birds: {size: " +
              std::to_string(birds) + "}\nspace: {box: [" + std::to_string(side) + ", " +
              std::to_string(side) + "], cutoff: 5, query: " + query +
              "}\nparameters: {schedule: " + schedule + "}\n"};
}

// The same run on 1, 2 and 3 threads writes the same metrics and summary.
void check_threads(const Case& c) {
  CAPTURE(c.name);
  const TempDir dir;
  const fs::path config = dir / "run.yaml";  // NOLINT
  std::ofstream(config) << c.config;
  for (const char* t : {"1", "2", "3"})
    REQUIRE(
        cohort("'" + config.string() + "' --threads " + t + " --out '" + (dir / t).string() + "'",
               dir / (std::string(t) + ".log")) == 0);
  for (const char* t : {"2", "3"}) {
    CHECK(read_file(dir / t / "metrics.csv") == read_file(dir / "1" / "metrics.csv"));
    CHECK(read_file(dir / t / "summary.json") == read_file(dir / "1" / "summary.json"));
  }
}

// Lists rebuilt every 7 steps, so the checkpoint at step 20 falls between two builds. With
// `list: none` and 7^3 cells (4 bins a side) the pairs come from the bins and the build positions.
Case lj_melt_case(const std::string& list = "half", int cells = 5) {
  const std::string n = std::to_string(cells);
  return {"lj_melt",
          "model: lj_melt\nseed: 1\nsteps: 40\nthreads: 2\noutput: {every: 5}\n"
          "populations:\n  atoms: {size: " +
              std::to_string(4 * cells * cells * cells) + "}\nparameters: {nx: " + n +
              ", ny: " + n + ", nz: " + n + ", temperature: 3.0}\nspace: {neighbour_list: " + list +
              ", rebuild: {every: {steps: 7}}}\n"};
}

void check_case(const Case& c) {
  CAPTURE(c.name);
  const TempDir dir;
  const fs::path config = dir / "run.yaml";  // NOLINT
  std::ofstream(config) << c.config;
  const std::string base = "'" + config.string() + "'";

  // Two processes write the checkpoint at step 20 of the same run.
  for (const char* who : {"a", "b"})
    REQUIRE(cohort(base + " --steps 40 --set output.checkpoint_every=20 --out '" +
                       (dir / who).string() + "'",
                   dir / (std::string(who) + ".log")) == 0);
  const std::string a = read_file(dir / "a" / "checkpoint.cohort");
  REQUIRE(a.size() > 100);
  CHECK(a == read_file(dir / "b" / "checkpoint.cohort"));

  // Resuming it finishes the run byte for byte as the uninterrupted run did.
  REQUIRE(cohort(base + " --resume '" + (dir / "a" / "checkpoint.cohort").string() +
                     "' --threads 1 --out '" + (dir / "resumed").string() + "'",
                 dir / "resumed.log") == 0);
  CHECK(read_file(dir / "resumed" / "metrics.csv") == read_file(dir / "a" / "metrics.csv"));
  CHECK(read_file(dir / "resumed" / "summary.json") == read_file(dir / "a" / "summary.json"));
  for (const std::string& file : c.model_files) {
    CAPTURE(file);
    const std::string straight = read_file(dir / "a" / file);
    CHECK(straight.size() > 100);
    CHECK(read_file(dir / "resumed" / file) == straight);
  }
}

}  // namespace

TEST_CASE("random_walk checkpoints are the same bytes from two processes and resume exactly") {
  check_case(random_walk_case());
}

TEST_CASE("belief_agents under a binding 1500-byte budget checkpoints and resumes exactly") {
  check_case(belief_case("1500B"));
}

TEST_CASE("belief_agents under a binding 2 KiB budget checkpoints and resumes exactly") {
  check_case(belief_case("2KiB"));
}

TEST_CASE("gene_network checkpoints are the same bytes from two processes and resume exactly") {
  check_case(gene_network_case());
}

TEST_CASE("forest_fire checkpoints are the same bytes from two processes and resume exactly") {
  check_case(forest_fire_case());
}

TEST_CASE("schelling checkpoints are the same bytes from two processes and resume exactly") {
  check_case(schelling_case());
}

TEST_CASE("wolf_sheep under a binding population budget checkpoints and resumes exactly") {
  check_case(wolf_sheep_case());
}

TEST_CASE("the grid models write the same outputs on 1, 2 and 3 threads") {
  check_threads(forest_fire_case());
  check_threads(schelling_case());
  check_threads(wolf_sheep_case());
}

TEST_CASE("flocking checkpoints are the same bytes from two processes and resume exactly") {
  check_case(flocking_case("exact"));
  check_case(flocking_case("cells_only"));
  check_case(flocking_case("exact", "simultaneous"));
}

TEST_CASE("a flock whose rows are re-sorted by bin resumes with its rows in their order") {
  // 16,384 birds and more re-sort their rows by bin every 10 steps, so at the checkpoint (step
  // 20) the rows are far from uid order, which is how the portable layout restores them.
  check_case(flocking_case("exact", "random", 16384, 400));
}

TEST_CASE("flocking writes the same outputs on 1, 2 and 3 threads") {
  check_threads(flocking_case("exact"));
  check_threads(flocking_case("cells_only"));
  check_threads(flocking_case("exact", "simultaneous"));
}

TEST_CASE("lj_melt checkpoints between list builds are the same bytes and resume exactly") {
  check_case(lj_melt_case());
}

TEST_CASE("lj_melt without a stored list: the same outputs on 1, 2 and 3 threads, and resumes") {
  check_threads(lj_melt_case("none", 7));
  check_case(lj_melt_case("none", 7));
}
