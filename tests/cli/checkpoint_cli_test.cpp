// Checkpoints hold content, never addresses: two processes checkpointing the same run write the
// same bytes, and resuming continues exactly as the uninterrupted run, for every built-in model,
// budgets binding included.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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
  std::string config;  // a run config of a few seconds at most
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
  return {"belief_agents", std::string(R"(model: belief_agents
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
)"};
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

Case lj_melt_case() {
  // Lists rebuilt every 7 steps, so the checkpoint at step 20 falls between two builds.
  return {"lj_melt", R"(model: lj_melt
seed: 1
steps: 40
threads: 2
output: {every: 5}
populations:
  atoms: {size: 500}
parameters: {nx: 5, ny: 5, nz: 5, temperature: 3.0}
space: {rebuild: {every: {steps: 7}}}
)"};
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

TEST_CASE("lj_melt checkpoints between list builds are the same bytes and resume exactly") {
  check_case(lj_melt_case());
}
