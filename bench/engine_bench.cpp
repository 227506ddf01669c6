// Engine benchmarks: a system over column storage, create/destroy churn, and storage overhead.
//
//   build/release/bench/engine_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
//
// BM_UpdateThreeFloats reports items/s = agent-component updates per second (3 per agent-step).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "cohort/engine/world.hpp"

using namespace cohort::engine;

namespace {

// Three float components, each updated every step (a damped relaxation towards a target), the
// shape of a position/heat/opinion update.
void BM_UpdateThreeFloats(benchmark::State& state) {
  const auto agents = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<std::size_t>(state.range(1));
  World world(WorldOptions{1, threads});
  Population& pop = world.add_population("particles", {.agent_ledger = false});
  const Component<float> x = pop.add_component<float>("x");
  const Component<float> y = pop.add_component<float>("y");
  const Component<float> z = pop.add_component<float>("z");
  pop.reserve(agents);
  for (std::size_t i = 0; i < agents; ++i)
    pop.create();
  world.add_system("relax", "update", pop, [x, y, z](BlockContext& ctx, Row begin, Row end) {
    float* __restrict px = ctx.population.column(x).data();
    float* __restrict py = ctx.population.column(y).data();
    float* __restrict pz = ctx.population.column(z).data();
    for (Row r = begin; r < end; ++r) {
      px[r] = 0.99f * px[r] + 0.01f;
      py[r] = 0.98f * py[r] + 0.02f;
      pz[r] = 0.97f * pz[r] + 0.03f;
    }
  });
  for (auto _ : state)
    world.run_step();
  benchmark::DoNotOptimize(pop.column(x)[agents / 2]);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * agents * 3));
  state.counters["threads"] = static_cast<double>(world.threads());
}
BENCHMARK(BM_UpdateThreeFloats)
    ->ArgNames({"agents", "threads"})
    ->Args({1'000'000, 1})
    ->Args({1'000'000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Destroy a random live agent and create a new one (swap-remove, LIFO id reuse, ledger rows),
// with a population of 100k agents holding 3 float components and a memory ledger.
void BM_CreateDestroyChurn(benchmark::State& state) {
  cohort::memory::Accountant accountant;
  cohort::engine::UidCounter uids;
  Population pop("churn", 0, accountant, uids, {.agent_ledger = true});
  pop.add_component<float>("x");
  pop.add_component<float>("y");
  pop.add_component<float>("z");
  constexpr std::size_t kAgents = 100'000;
  std::vector<AgentId> ids;
  for (std::size_t i = 0; i < kAgents; ++i)
    ids.push_back(pop.create());
  std::vector<std::uint32_t> victims(1 << 16);
  std::mt19937_64 rng(42);
  for (auto& v : victims)
    v = static_cast<std::uint32_t>(rng() % kAgents);
  std::size_t k = 0;
  for (auto _ : state) {
    const std::uint32_t slot = victims[k++ & (victims.size() - 1)];
    pop.destroy(ids[slot]);
    ids[slot] = pop.create();
  }
  state.SetItemsProcessed(state.iterations());  // one destroy + one create per item
}
BENCHMARK(BM_CreateDestroyChurn);

// Storage overhead per agent beyond the component payload, measured from what the population
// actually allocated for 1M agents with 24 bytes of components (the flecs/EnTT comparison).
void BM_StorageOverhead(benchmark::State& state) {
  const bool ledger = state.range(0) != 0;
  constexpr std::size_t kAgents = 1'000'000;
  double overhead = 0;
  for (auto _ : state) {
    cohort::memory::Accountant accountant;
    cohort::engine::UidCounter uids;
    Population pop("p", 0, accountant, uids, {.agent_ledger = ledger});
    pop.add_component<double>("a");
    pop.add_component<double>("b");
    pop.add_component<double>("c");
    pop.reserve(kAgents);
    for (std::size_t i = 0; i < kAgents; ++i)
      pop.create();
    const double payload = 24.0 * kAgents;
    overhead = (static_cast<double>(pop.storage_bytes()) - payload) / kAgents;
  }
  state.counters["overhead_bytes_per_agent"] = overhead;
  state.counters["ledger"] = ledger ? 1 : 0;
}
BENCHMARK(BM_StorageOverhead)
    ->ArgName("ledger")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
