// Two threads charging at once through their own contexts, merged at a settle.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "cohort/memory/accountant.hpp"
#include "random_workload.hpp"

using namespace cohort::memory;
using cohort::memory::testing::ExpectedTotals;
using cohort::memory::testing::LiveChunk;

TEST_CASE("two threads' deltas merge exactly at settle") {
  Accountant acc(AccountantOptions{2, PoolMode::pooled});
  const TagId beliefs = acc.tags().intern("beliefs");
  const TagId history = acc.tags().intern("history");
  // Each thread steps its own half of one population's agents, and its own second population,
  // as the engine's blocks do.
  PopulationAccount& shared_pop = acc.add_population("explorers", BudgetLimits::from_hard(1 << 20));
  for (int i = 0; i < 64; ++i)
    shared_pop.add_agent();
  PopulationAccount& solo0 = acc.add_population("solo0");
  PopulationAccount& solo1 = acc.add_population("solo1");
  for (int i = 0; i < 8; ++i) {
    solo0.add_agent();
    solo1.add_agent();
  }

  // Split the ledger into two views by running the workload on disjoint agent ranges: thread t
  // touches rows where row % 2 == t. The random workload picks rows itself, so give each thread
  // its own population for the random part and charge the shared one with a fixed pattern.
  ExpectedTotals e0;
  ExpectedTotals e1;
  std::vector<LiveChunk> live0;
  std::vector<LiveChunk> live1;
  std::uint64_t pattern_used[2] = {0, 0};
  std::vector<std::pair<AgentRow, void*>> pattern_live[2];
  auto worker = [&](int t, PopulationAccount& solo, ExpectedTotals& e,
                    std::vector<LiveChunk>& live) {
    ChargeContext& ctx = acc.context(static_cast<std::size_t>(t));
    live = cohort::memory::testing::run_random_workload(
        ctx, solo, {beliefs, history}, 100 + static_cast<std::uint64_t>(t), 20000, e, [](int) {});
    for (int k = 0; k < 5000; ++k) {
      const auto row = static_cast<AgentRow>((k * 2 + t) % 64);
      AllocResult r = ctx.allocate(shared_pop, row, beliefs, 48);
      REQUIRE(r);
      pattern_live[t].emplace_back(row, r.ptr);
      pattern_used[t] += 48;
    }
  };
  std::thread a(worker, 0, std::ref(solo0), std::ref(e0), std::ref(live0));
  std::thread b(worker, 1, std::ref(solo1), std::ref(e1), std::ref(live1));
  a.join();
  b.join();

  // Before the settle, the population totals have not moved; the ledgers are already exact.
  CHECK(shared_pop.counters(Scope::agents, beliefs).used == 0);
  std::uint64_t ledger_sum = 0;
  for (AgentRow r = 0; r < 64; ++r)
    ledger_sum += shared_pop.ledger().used(r);
  CHECK(ledger_sum == pattern_used[0] + pattern_used[1]);

  acc.settle();
  CHECK(shared_pop.counters(Scope::agents, beliefs).used == pattern_used[0] + pattern_used[1]);
  CHECK(shared_pop.counters(Scope::agents, beliefs).allocations == 10000);
  // Two threads charged this tag between settles: the peak is the documented upper bound.
  CHECK(shared_pop.counters(Scope::agents, beliefs).peak_used == pattern_used[0] + pattern_used[1]);
  CHECK(solo0.counters(Scope::agents, beliefs).used == e0.tag_used[beliefs]);
  CHECK(solo1.counters(Scope::agents, history).used == e1.tag_used[history]);
  CHECK(solo1.counters(Scope::agents, history).frees == e1.tag_frees[history]);
  cohort::memory::testing::check_rollup(acc);

  // Next "step": the other thread frees what the first allocated (agents changed partition).
  ChargeContext& ctx0 = acc.context(0);
  ChargeContext& ctx1 = acc.context(1);
  for (auto [row, p] : pattern_live[0])
    ctx1.deallocate(shared_pop, row, beliefs, p, 48);
  for (auto [row, p] : pattern_live[1])
    ctx0.deallocate(shared_pop, row, beliefs, p, 48);
  for (const auto& c : live0)
    ctx1.deallocate(solo0, c.row, c.tag, c.ptr, c.bytes);
  for (const auto& c : live1)
    ctx0.deallocate(solo1, c.row, c.tag, c.ptr, c.bytes);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(acc.engine_total().held == 0);
  const PoolTotals pools = acc.pool_totals();
  std::int64_t in_use = 0;
  for (const auto& c : pools.classes)
    in_use += c.chunks_in_use;
  CHECK(in_use == 0);  // per-set counts may be negative; the sum is exact
  cohort::memory::testing::check_rollup(acc);
}

TEST_CASE("a single thread's peak is exact") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("scratch2");
  PopulationAccount& pop = acc.add_population("p");
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  AllocResult a = ctx.allocate(pop, 0, tag, 100);
  AllocResult b = ctx.allocate(pop, 0, tag, 200);
  ctx.deallocate(pop, 0, tag, b.ptr, 200);
  AllocResult c = ctx.allocate(pop, 0, tag, 50);
  acc.settle();
  CHECK(pop.counters(Scope::agents, tag).peak_used == 300);
  CHECK(pop.counters(Scope::agents, tag).peak_held ==
        SizeClasses::held_for(100) + SizeClasses::held_for(200));
  CHECK(pop.counters(Scope::agents, tag).used == 150);
  ctx.deallocate(pop, 0, tag, a.ptr, 100);
  ctx.deallocate(pop, 0, tag, c.ptr, 50);
  acc.settle();
  CHECK(pop.counters(Scope::agents, tag).peak_used == 300);
  CHECK(pop.peak_used() == 150);  // population totals: high-water at settle points
}
