// Interaction benchmarks: permuting a population (every per-row store at once), and applying
// cross-agent effects in their deterministic order.
//
//   build/release/bench/interaction_bench --benchmark_repetitions=5
//
// BM_Permute: 1M agents, 3 float components and memory ledgers, one thread (target <= 15 ms);
// BM_PermuteChargedLedgers: the same with something charged to every agent's ledger.
// BM_PermuteFloor: what the machine allows for BM_Permute's random accesses: the same gathers
// through the same order (slot indices, uids, three floats) and the slots' scatter, in bare
// arrays, without checks or bookkeeping. BM_Permute / BM_PermuteFloor is the engine's overhead.
// BM_ApplyEffects: items/s = effects emitted and applied per second (target >= 50M/s, 2 threads).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/memory/huge_pages.hpp"
#include "cohort/memory/row_gather.hpp"

using namespace cohort::engine;

namespace {

constexpr std::size_t kAgents = 1'000'000;

// A permutation of the kind a spatial re-sort produces (range(0) == 1): rows grouped by one of
// 4096 cells, each agent's cell random; or a uniformly random one (range(0) == 0).
std::vector<Row> make_order(bool by_cell) {
  std::vector<Row> order(kAgents);
  std::iota(order.begin(), order.end(), Row{0});
  std::mt19937_64 rng(5);
  if (!by_cell) {
    std::shuffle(order.begin(), order.end(), rng);
    return order;
  }
  std::vector<std::uint32_t> cell(kAgents);
  for (auto& c : cell)
    c = static_cast<std::uint32_t>(rng() % 4096);
  std::stable_sort(order.begin(), order.end(), [&](Row a, Row b) { return cell[a] < cell[b]; });
  return order;
}

// 1M agents with 3 float components and a ledger; with `charged`, every agent has 16 bytes
// charged, so the ledger's rows must move too (an all-clear ledger has nothing to move).
void permute_population(benchmark::State& state, bool charged) {
  World world(WorldOptions{1, 1});
  Population& pop = world.add_population("p", {.agent_ledger = true});
  pop.add_component<float>("x");
  pop.add_component<float>("y");
  pop.add_component<float>("z");
  pop.reserve(kAgents);
  for (std::size_t i = 0; i < kAgents; ++i)
    pop.create();
  if (charged) {
    cohort::memory::ChargeContext& ctx = world.accountant().context(0);
    const auto tag = world.accountant().tags().intern("data");
    for (Row r = 0; r < kAgents; ++r)
      if (ctx.charge(pop.account(), r, tag, 16, 16) != cohort::memory::ChargeStatus::ok)
        state.SkipWithError("charge refused");
  }
  const std::vector<Row> order = make_order(state.range(0) != 0);
  for (auto _ : state)
    pop.permute(order);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kAgents));
  benchmark::DoNotOptimize(pop.uid_at(0));
}
void BM_Permute(benchmark::State& state) {
  permute_population(state, false);
}
void BM_PermuteChargedLedgers(benchmark::State& state) {
  permute_population(state, true);
}
BENCHMARK(BM_Permute)->ArgName("by_cell")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
void BM_PermuteFloor(benchmark::State& state) {
  using cohort::memory::RowArray;
  const std::vector<Row> order = make_order(state.range(0) != 0);
  // The population's layout: 4-byte slot indices by row, 4-byte rows by slot, 8-byte uids, in
  // huge-page arrays as the population's.
  RowArray<std::uint32_t> slot_of_row(kAgents), row_of_slot(kAgents);
  RowArray<std::uint64_t> uids(kAgents), scratch(kAgents);
  RowArray<float> x(kAgents), y(kAgents), z(kAgents);
  std::iota(slot_of_row.begin(), slot_of_row.end(), std::uint32_t{0});
  std::iota(uids.begin(), uids.end(), std::uint64_t{0});
  const std::span<const Row> rows(order);
  auto* narrow = reinterpret_cast<std::uint32_t*>(scratch.data());
  for (auto _ : state) {
    // Slot indices and floats go through the scratch and are copied back; uids trade places.
    cohort::memory::permute_rows_through(slot_of_row.data(), rows, narrow);
    constexpr std::size_t kAhead = cohort::memory::kGatherAhead;
    for (std::size_t i = 0; i < kAgents; ++i) {
      if (i + kAhead < kAgents) __builtin_prefetch(&row_of_slot[slot_of_row[i + kAhead]], 1);
      row_of_slot[slot_of_row[i]] = static_cast<std::uint32_t>(i);
    }
    cohort::memory::gather_rows(scratch.data(), uids.data(), rows);
    uids.swap(scratch);
    narrow = reinterpret_cast<std::uint32_t*>(scratch.data());
    for (RowArray<float>* column : {&x, &y, &z})
      cohort::memory::permute_rows_through(column->data(), rows, scratch.data());
    benchmark::DoNotOptimize(row_of_slot.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kAgents));
}
BENCHMARK(BM_PermuteFloor)->ArgName("by_cell")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_PermuteChargedLedgers)
    ->ArgName("by_cell")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// Each of 1M senders emits `per_agent` additive effects to uniformly random receivers of a
// population of 1M; one step = emission (parallel) + ordering and application at the phase end.
void BM_ApplyEffects(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  const auto per_agent = static_cast<std::uint32_t>(state.range(1));
  World world(WorldOptions{1, threads});
  Population& senders = world.add_population("senders", {.agent_ledger = false});
  Population& receivers = world.add_population("receivers", {.agent_ledger = false});
  const Component<double> heat = receivers.add_component<double>("heat");
  senders.reserve(kAgents);
  receivers.reserve(kAgents);
  std::vector<AgentId> receiver_ids;
  for (std::size_t i = 0; i < kAgents; ++i) {
    senders.create();
    receiver_ids.push_back(receivers.create());
  }
  // Each sender's targets, read in order as a model reads its neighbour list: what is timed is
  // the engine's emission and application, not a random lookup in the benchmark's own table.
  std::vector<AgentId> targets(kAgents * per_agent);
  std::mt19937_64 pick(7);
  for (AgentId& t : targets)
    t = receiver_ids[pick() % kAgents];
  const Effect<double> warm = world.add_effect<double>(
      "warm", receivers, [heat](Population& p, Row r, double v) { p.column(heat)[r] += v; });
  world.add_system("emit", "update", senders, [&](BlockContext& ctx, Row begin, Row end) {
    for (Row r = begin; r < end; ++r)
      for (std::uint32_t k = 0; k < per_agent; ++k)
        ctx.emit(warm, r, targets[std::size_t{r} * per_agent + k], 1.0);
  });
  world.run_step();  // untimed: grows the channel's buffers; what follows is the steady state
  for (auto _ : state)
    world.run_step();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kAgents * per_agent));
  state.counters["threads"] = static_cast<double>(threads);
  benchmark::DoNotOptimize(receivers.column(heat)[0]);
}
BENCHMARK(BM_ApplyEffects)
    ->ArgNames({"threads", "per_agent"})
    ->Args({1, 4})
    ->Args({2, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
