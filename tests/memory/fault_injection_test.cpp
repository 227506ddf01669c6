// An upstream allocator that fails: no leak, counters exact, and the next allocation works.
#include <doctest/doctest.h>

#include <vector>

#include "cohort/memory/accountant.hpp"
#include "random_workload.hpp"

using namespace cohort::memory;

TEST_CASE("a failed large allocation changes no counter and the next one succeeds") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("beliefs");
  PopulationAccount& pop = acc.add_population("p");
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  std::vector<void*> got;
  {
    UpstreamFaultInjector inject(/*fail_at=*/5);
    for (int i = 0; i < 9; ++i) {
      AllocResult r = ctx.allocate(pop, 0, tag, 5000);
      if (i == 4) {
        CHECK(r.status == ChargeStatus::upstream_failed);
        CHECK(r.ptr == nullptr);
        CHECK(pop.ledger().used(0) == 4 * 5000);
      } else {
        REQUIRE(r);
        got.push_back(r.ptr);
      }
    }
    CHECK(inject.requests() == 9);
    CHECK(inject.failures() == 1);
  }
  acc.settle();
  const TagCounters& c = pop.counters(Scope::agents, tag);
  CHECK(c.allocations == 8);
  CHECK(c.used == 8 * 5000);
  CHECK(c.refusals == 0);
  CHECK(pop.ledger().used(0) == 8 * 5000);
  CHECK(acc.pool_totals().large.in_use == 8);
  for (void* p : got)
    ctx.deallocate(pop, 0, tag, p, 5000);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(acc.pool_totals().large.in_use == 0);
}

TEST_CASE("a pool that cannot grow fails cleanly, even after Boost's smaller retry") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("p");
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  std::vector<void*> live;
  // The first 64-byte chunk needs a block; Boost.Pool retries once with half a block.
  {
    UpstreamFaultInjector inject(/*fail_at=*/1, /*fail_count=*/2);
    AllocResult r = ctx.allocate(pop, 0, tag, 64);
    CHECK(r.status == ChargeStatus::upstream_failed);
    CHECK(inject.requests() == 2);
  }
  CHECK(pop.ledger().used(0) == 0);
  CHECK(pop.ledger().held(0) == 0);
  // class_stats() is a snapshot (in-use chunks are derived from the free list): ask each time.
  auto stats = [&] { return ctx.pools().class_stats(SizeClasses::of(64)); };
  CHECK(stats().blocks == 0);
  CHECK(stats().chunks_in_use == 0);
  CHECK(stats().allocations == 0);

  // A single failure is absorbed by Boost's retry with a smaller block.
  {
    UpstreamFaultInjector inject(/*fail_at=*/1, /*fail_count=*/1);
    AllocResult r = ctx.allocate(pop, 0, tag, 64);
    REQUIRE(r);
    live.push_back(r.ptr);
    CHECK(inject.failures() == 1);
    CHECK(inject.requests() == 2);
  }
  CHECK(stats().blocks == 1);
  // Boost halves its next block size on each failed first attempt, and keeps it: 64 -> 32 -> 16.
  CHECK(stats().chunks_reserved == 16);
  // With the injector gone, allocation works and the block's chunks are reused.
  for (int i = 0; i < 40; ++i) {
    AllocResult r = ctx.allocate(pop, 0, tag, 64);
    REQUIRE(r);
    live.push_back(r.ptr);
  }
  acc.settle();
  CHECK(pop.counters(Scope::agents, tag).allocations == 41);
  CHECK(pop.ledger().used(0) == 41 * 64);
  CHECK(stats().chunks_in_use == 41);
  for (void* p : live)
    ctx.deallocate(pop, 0, tag, p, 64);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(stats().chunks_in_use == 0);
}

TEST_CASE("failing every Nth upstream request during a random workload keeps counters exact") {
  for (std::uint64_t n : {1u, 3u, 7u}) {
    CAPTURE(n);
    Accountant acc(AccountantOptions{1, PoolMode::pass_through});  // every chunk is upstream
    const TagId tag = acc.tags().intern("history");
    PopulationAccount& pop = acc.add_population("p");
    for (int i = 0; i < 4; ++i)
      pop.add_agent();
    ChargeContext& ctx = acc.context();
    struct Live {
      void* ptr;
      AgentRow row;
      std::size_t bytes;
    };
    std::vector<Live> live;
    std::uint64_t failures = 0;
    std::uint64_t expected_used = 0;
    for (int i = 0; i < 300; ++i) {
      UpstreamFaultInjector inject(n);  // fails the nth request of this scope
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::size_t bytes = 8 + (i * 37 + k * 11) % 500;
        const auto row = static_cast<AgentRow>(i % 4);
        AllocResult r = ctx.allocate(pop, row, tag, bytes);
        if (r.status == ChargeStatus::upstream_failed) {
          ++failures;
          continue;
        }
        REQUIRE(r);
        expected_used += bytes;
        live.push_back({r.ptr, row, bytes});
      }
    }
    CHECK(failures == 300);
    acc.settle();
    CHECK(pop.counters(Scope::agents, tag).used == expected_used);
    CHECK(pop.counters(Scope::agents, tag).allocations == live.size());
    cohort::memory::testing::check_rollup(acc);
    for (const Live& l : live)
      ctx.deallocate(pop, l.row, tag, l.ptr, l.bytes);
    acc.settle();
    CHECK(pop.counters(Scope::agents, tag).used == 0);
    for (AgentRow r = 0; r < 4; ++r)
      CHECK(pop.ledger().used(r) == 0);
  }
}

TEST_CASE("an upstream failure is reported as out of memory, not as an earlier agent's refusal") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("trail");
  PopulationAccount& pop = acc.add_population("walkers", BudgetLimits::from_hard(100));
  pop.add_agent();
  pop.add_agent();
  pop.ledger().set_limits(1, BudgetLimits::from_hard(10000));  // agent 1's request fits
  ChargeContext& ctx = acc.context();
  // Agent 0 is refused first: last_refusal() describes its budget.
  CHECK(ctx.allocate(pop, 0, tag, 200).status == ChargeStatus::refused);
  CHECK_FALSE(ctx.last_refusal().out_of_memory);
  AllocResult r;
  {
    UpstreamFaultInjector inject(/*fail_at=*/1);
    r = ctx.allocate(pop, 1, tag, 5000);  // large: one upstream request, no retry
  }
  REQUIRE(r.status == ChargeStatus::upstream_failed);
  const BudgetRefusal refusal = ctx.last_refusal();
  CHECK(refusal.out_of_memory);
  CHECK(refusal.requested == 5000);
  CHECK(refusal.account_path == "walkers/agent " + std::to_string(pop.agent_id(1)));
  CHECK(refusal.message().rfind("out of memory: the system allocator could not provide 5000 bytes "
                                "for walkers/agent ",
                                0) == 0);
  CHECK(refusal.message().find("not a budget refusal") != std::string::npos);
  acc.settle();
  CHECK(pop.counters(Scope::agents, tag).refusals == 1);  // the upstream failure is no refusal
  CHECK(acc.engine_total().used == 0);
}

TEST_CASE("a reclaimer that throws leaves the context usable: no longer reclaiming") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("explorers", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  int runs = 0;
  pop.add_reclaimer({"evict_history", [&](const ReclaimRequest&) {
                       ++runs;
                       throw BudgetExceeded(BudgetRefusal{});  // as an out-of-memory reclaimer
                     }});
  AllocResult base = ctx.allocate(pop, 0, tag, 800);
  REQUIRE(base);
  CHECK_THROWS_AS(ctx.allocate(pop, 0, tag, 150), BudgetExceeded);  // 950 > 900: reclaims
  CHECK(runs == 1);
  CHECK_FALSE(ctx.reclaiming());
  // Still reclaiming would skip the reclaimer (reclaim_depth_ > 0) and admit the request.
  CHECK_THROWS_AS(ctx.allocate(pop, 0, tag, 150), BudgetExceeded);
  CHECK(runs == 2);
  ctx.deallocate(pop, 0, tag, base.ptr, 800);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
}
