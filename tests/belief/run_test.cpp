// Whole runs of belief_agents: determinism across threads, checkpoints, every budget rung, outputs.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include "belief_agents/belief_store.hpp"
#include "belief_agents/history.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/memory/refusal.hpp"
#include "cohort/models/builtin.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using cohort::testing::TempDir;

using cohort::testing::builtin_registry;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string config(std::size_t agents, std::size_t steps, const std::string& budget,
                   const std::string& on_refusal, const std::string& parameters,
                   const fs::path& out) {
  return "model: belief_agents\nseed: 5\nsteps: " + std::to_string(steps) +
         "\nthreads: 1\noutput: {dir: " + out.string() +
         ", every: 5}\npopulations:\n  explorers:\n    size: " + std::to_string(agents) +
         "\n    budget: {hard: " + budget + "}\n    on_refusal: " + on_refusal + "\nparameters:\n" +
         parameters;
}

cohort::engine::RunSettings settings(const TempDir& dir, const std::string& yaml,
                                     const std::vector<std::string>& overrides = {}) {
  std::ofstream(dir / "run.yaml") << yaml;
  return cohort::engine::load_run_settings(builtin_registry(), dir / "run.yaml", overrides);
}

// The last row of metrics.csv by column name.
std::map<std::string, double> final_metrics(const fs::path& dir) {
  std::istringstream in(read_text(dir / "metrics.csv"));
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  std::map<std::string, double> m;
  std::istringstream h(header), v(last);
  std::string name, value;
  while (std::getline(h, name, ',') && std::getline(v, value, ','))
    m[name] = std::stod(value);
  return m;
}

// Runs to the end; checks every agent's ledger is within its hard limit; returns rung counters.
struct RunResult {
  std::uint64_t rung_runs[2] = {0, 0};
  std::uint64_t refusals = 0;
};
// `block_entries` and `capacity` are the run's history parameters, to recount its bytes.
RunResult run(cohort::engine::RunSettings s, std::uint64_t hard, std::uint16_t block_entries = 16,
              std::uint16_t capacity = 256) {
  using namespace cohort::models::belief;
  cohort::engine::Simulation sim(builtin_registry(), std::move(s));
  sim.run(std::atomic<bool>{false}, {});
  sim.write_outputs();
  cohort::engine::Population& pop = sim.world().population(0);
  const cohort::memory::PopulationAccount& acc = pop.account();
  // Every agent within its limit, and its ledger exactly its belief plus its history bytes.
  const auto beliefs = pop.column(cohort::engine::Component<BeliefRef>{1});
  const auto histories = pop.column(cohort::engine::Component<HistoryRef>{2});
  const HistoryOps ops{0, Codec::lz4, block_entries,
                       static_cast<std::uint16_t>(capacity / block_entries)};
  for (cohort::engine::Row r = 0; r < pop.size(); ++r) {
    CHECK(acc.ledger().used(r) <= hard);
    CHECK(acc.ledger().used(r) == beliefs[r].bytes + ops.stats(histories[r]).bytes);
  }
  RunResult out;
  for (std::size_t k = 0; k < acc.reclaimers().size(); ++k)
    out.rung_runs[k] = acc.rung(k).runs;
  return out;
}

const std::string kSmall =
    "  width: 8\n  height: 6\n  preferences: [0, 0, 0, 2]\n"
    "  history: {capacity: 256, block_entries: 16}\n";

}  // namespace

TEST_CASE("outputs are byte-identical on 1 and 2 threads and after a checkpoint and resume") {
  TempDir dir;
  // 9000 agents: three 4096-row blocks, so two threads really split the work.
  const std::string one = config(9000, 30, "16KiB", "freeze", kSmall, dir / "one");
  run(settings(dir, one), 16384);
  run(settings(dir, config(9000, 30, "16KiB", "freeze", kSmall, dir / "two"), {"threads=2"}),
      16384);
  const std::string resumed = config(9000, 30, "16KiB", "freeze", kSmall, dir / "resumed");
  {
    cohort::engine::Simulation first(builtin_registry(), settings(dir, resumed, {"steps=10"}));
    first.run(std::atomic<bool>{false}, {});
    first.write_checkpoint(dir / "at10.cohort");
  }
  cohort::engine::Simulation second(builtin_registry(), settings(dir, resumed, {"threads=2"}));
  second.resume(dir / "at10.cohort");
  second.run(std::atomic<bool>{false}, {});
  second.write_outputs();
  for (const char* file : {"metrics.csv", "summary.json"}) {
    CAPTURE(file);
    CHECK(read_text(dir / "one" / file) == read_text(dir / "two" / file));
    CHECK(read_text(dir / "one" / file) == read_text(dir / "resumed" / file));
  }
  const auto m = final_metrics(dir / "one");
  CHECK(m.at("agents") == 9000);
  CHECK(m.at("mean_true_cell_mass") > 0.3);  // agents know roughly where they are
  CHECK(m.at("agents_refused") == 0);
}

TEST_CASE("rung 1: a small budget evicts the oldest history blocks, nothing else") {
  TempDir dir;
  const std::string params = kSmall + "  reclaim: [evict_history, prune_beliefs]\n";
  const RunResult r =
      run(settings(dir, config(200, 120, "1200B", "fail", params, dir / "o")), 1200);
  const auto m = final_metrics(dir / "o");
  CHECK(m.at("agents_evicted") >= 190);  // an agent whose history compresses well may never need it
  CHECK(m.at("agents_refused") == 0);
  CHECK(r.rung_runs[0] > 0);
  CHECK(m.at("mean_bytes_per_agent") <= 1200 + 200);  // + fixed columns
}

TEST_CASE("rung 2: beliefs too large for the budget are pruned harder") {
  TempDir dir;
  // 30 x 30: the first posterior is dense (7200 B) against a 2 KiB budget.
  const std::string params =
      "  width: 30\n  height: 30\n  reclaim: [prune_beliefs]\n  prune_levels: 4\n"
      "  history: {capacity: 64, block_entries: 16}\n";
  const RunResult r =
      run(settings(dir, config(100, 10, "2KiB", "fail", params, dir / "o")), 2048, 16, 64);
  const auto m = final_metrics(dir / "o");
  CHECK(m.at("agents_pruned") == 100);
  CHECK(m.at("agents_refused") == 0);
  CHECK(m.at("agents_evicted") == 0);
  CHECK(m.at("mean_belief_bytes") < 2048);
  (void)r;
}

TEST_CASE("rung 3: refusal freezes the history under on_refusal freeze") {
  TempDir dir;
  const std::string params = kSmall + "  reclaim: [evict_history, prune_beliefs]\n";
  run(settings(dir, config(50, 20, "100B", "freeze", params, dir / "o")), 100);
  const auto m = final_metrics(dir / "o");
  CHECK(m.at("agents_refused") == 50);
  CHECK(m.at("agents") == 50);
  CHECK(m.at("mean_history_bytes") == 0);  // the 224-byte open block never fit
}

TEST_CASE("rung 3: refusal fails the run with the typed budget error under on_refusal fail") {
  TempDir dir;
  cohort::engine::Simulation sim(builtin_registry(),
                                 settings(dir, config(50, 20, "100B", "fail", kSmall, dir / "o")));
  CHECK_THROWS_AS(sim.run(std::atomic<bool>{false}, {}), cohort::memory::BudgetExceeded);
}

TEST_CASE("history and trace outputs of chosen agents are written as CSV") {
  TempDir dir;
  const std::string params = kSmall + "  history_agents: [0, 3]\n  trace_agents: [1]\n";
  run(settings(dir, config(10, 40, "16KiB", "fail", params, dir / "o")), 16384);
  const std::string history = read_text(dir / "o" / "belief_history.csv");
  CHECK(history.rfind("agent,entry,action,observation,cell,value\n", 0) == 0);
  CHECK(std::count(history.begin(), history.end(), '\n') == 1 + 2 * 40);
  const std::string trace = read_text(dir / "o" / "belief_trace.csv");
  CHECK(trace.find(",1,q_pi,4,") != std::string::npos);
  CHECK(trace.find(",1,G,0,") != std::string::npos);
}
