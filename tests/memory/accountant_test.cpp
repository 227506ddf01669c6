// The accountant: exact counters, roll-up, shared accounts, agent removal, pooled vs pass-through.
#include <doctest/doctest.h>

#include <cstring>

#include "cohort/memory/accountant.hpp"
#include "random_workload.hpp"

using namespace cohort::memory;
using cohort::memory::testing::check_rollup;
using cohort::memory::testing::ExpectedTotals;
using cohort::memory::testing::run_random_workload;

namespace {
PopulationAccount& population_with_agents(Accountant& acc, const std::string& name, int agents,
                                          BudgetLimits limits = BudgetLimits::unlimited()) {
  PopulationAccount& pop = acc.add_population(name, limits);
  for (int i = 0; i < agents; ++i)
    pop.add_agent();
  return pop;
}
}  // namespace

TEST_CASE("counters are exact after a long random allocate/free sequence") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    Accountant acc;
    const TagId genome = acc.tags().intern("genome");
    const TagId history = acc.tags().intern("history");
    PopulationAccount& pop = population_with_agents(acc, "walkers", 37);
    ChargeContext& ctx = acc.context();
    ExpectedTotals expected;
    auto live = run_random_workload(ctx, pop, {genome, history}, seed, 20000, expected, [&](int i) {
      // Ledger rows are exact at all times, without a settle.
      const auto row = static_cast<AgentRow>(i % 37);
      REQUIRE(pop.ledger().used(row) == expected.agent_used[row]);
      REQUIRE(pop.ledger().held(row) == expected.agent_held[row]);
    });
    acc.settle();
    for (TagId tag : {genome, history}) {
      const TagCounters& c = pop.counters(Scope::agents, tag);
      CHECK(c.used == expected.tag_used[tag]);
      CHECK(c.held == expected.tag_held[tag]);
      CHECK(c.allocations == expected.tag_allocs[tag]);
      CHECK(c.frees == expected.tag_frees[tag]);
      CHECK(c.peak_used >= c.used);
    }
    check_rollup(acc);
    for (const auto& chunk : live)
      ctx.deallocate(pop, chunk.row, chunk.tag, chunk.ptr, chunk.bytes);
    acc.settle();
    CHECK(acc.engine_total().used == 0);
    CHECK(acc.engine_total().held == 0);
    CHECK(acc.pool_totals().large.in_use == 0);
  }
}

TEST_CASE("children sum to their parent after every operation") {
  Accountant acc;
  const TagId beliefs = acc.tags().intern("beliefs");
  PopulationAccount& a = population_with_agents(acc, "a", 5);
  PopulationAccount& b = population_with_agents(acc, "b", 3);
  ChargeContext& ctx = acc.context();
  void* shared = ctx.allocate_shared(b, TagRegistry::kShared, 5000);
  REQUIRE(shared != nullptr);
  ExpectedTotals ea;
  ExpectedTotals eb;
  auto live_a = run_random_workload(ctx, a, {beliefs}, 11, 1500, ea, [&](int) {
    acc.settle();
    check_rollup(acc);
  });
  auto live_b =
      run_random_workload(ctx, b, {beliefs, TagRegistry::kScratch}, 12, 1500, eb, [&](int) {
        acc.settle();
        check_rollup(acc);
      });
  CHECK(acc.engine_total().used ==
        ea.tag_used[beliefs] + eb.tag_used[beliefs] + eb.tag_used[TagRegistry::kScratch] + 5000);
  for (const auto& c : live_a)
    ctx.deallocate(a, c.row, c.tag, c.ptr, c.bytes);
  for (const auto& c : live_b)
    ctx.deallocate(b, c.row, c.tag, c.ptr, c.bytes);
  ctx.deallocate_shared(b, TagRegistry::kShared, shared, 5000);
  acc.settle();
  check_rollup(acc);
  CHECK(acc.engine_total().used == 0);
}

TEST_CASE("shared data is charged once to the population, not to its agents") {
  Accountant acc;
  PopulationAccount& pop = population_with_agents(acc, "belief_agents", 1000);
  ChargeContext& ctx = acc.context();
  ctx.charge_shared(pop, TagRegistry::kShared, 800, 800);  // e.g. a transition matrix
  acc.settle();
  CHECK(pop.counters(Scope::population, TagRegistry::kShared).used == 800);
  CHECK(pop.total(Scope::agents).used == 0);
  for (AgentRow r = 0; r < 1000; ++r)
    CHECK(pop.ledger().used(r) == 0);
  CHECK(acc.engine_total().used == 800);
  ctx.release_shared(pop, TagRegistry::kShared, 800, 800);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(pop.counters(Scope::population, TagRegistry::kShared).peak_used == 800);
}

TEST_CASE("charge and release account memory owned elsewhere against the agent's budget") {
  Accountant acc;
  const TagId genome = acc.tags().intern("genome");
  PopulationAccount& pop = population_with_agents(acc, "genes", 2, BudgetLimits::from_hard(1000));
  ChargeContext& ctx = acc.context();
  CHECK(ctx.charge(pop, 1, genome, 800, 800) == ChargeStatus::ok);
  CHECK(ctx.charge(pop, 1, genome, 201, 201) == ChargeStatus::refused);
  CHECK(pop.ledger().used(1) == 800);
  ctx.release(pop, 1, genome, 800, 800);
  CHECK(pop.ledger().used(1) == 0);
}

TEST_CASE("removing an agent swaps the last row in and keeps its limits") {
  Accountant acc;
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = population_with_agents(acc, "p", 3);
  ChargeContext& ctx = acc.context();
  pop.ledger().set_limits(2, BudgetLimits::from_hard(5000));
  AllocResult r = ctx.allocate(pop, 2, tag, 100);
  REQUIRE(r);
  CHECK(pop.remove_agent(0) == 0);
  CHECK(pop.ledger().size() == 2);
  CHECK(pop.ledger().used(0) == 100);  // row 2 moved into row 0
  CHECK(pop.ledger().limits(0).hard == 5000);
  CHECK(pop.ledger().limits(1).hard == BudgetLimits::kMaxBytes);
  ctx.deallocate(pop, 0, tag, r.ptr, 100);
  acc.settle();
  check_rollup(acc);
  CHECK(pop.orphaned_used() == 0);
}

TEST_CASE("bytes left charged to a removed agent stay visible as orphaned") {
  Accountant acc;
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = population_with_agents(acc, "leaky", 2);
  ChargeContext& ctx = acc.context();
  AllocResult r = ctx.allocate(pop, 0, tag, 40);
  REQUIRE(r);
  CHECK(pop.remove_agent(0) == 40);
  acc.settle();
  CHECK(pop.orphaned_used() == 40);
  CHECK(pop.orphaned_held() == ctx.pools().held_for(40));
  CHECK(acc.engine_total().used == 40);  // still in the totals: the bytes really are held
  check_rollup(acc);
  ctx.pools().deallocate(r.ptr, 40);  // give the chunk back so the pools end empty
}

TEST_CASE("pooled and pass-through modes agree on every counter but held") {
  auto run = [](PoolMode mode) {
    Accountant acc(AccountantOptions{1, mode});
    const TagId tag = acc.tags().intern("history");
    PopulationAccount& pop = population_with_agents(acc, "p", 8, BudgetLimits::from_hard(20000));
    ExpectedTotals expected;
    ChargeContext& ctx = acc.context();
    auto live = run_random_workload(ctx, pop, {tag}, 99, 3000, expected, [](int) {});
    acc.settle();
    const TagCounters c = pop.counters(Scope::agents, tag);
    for (const auto& chunk : live)
      ctx.deallocate(pop, chunk.row, chunk.tag, chunk.ptr, chunk.bytes);
    std::vector<std::uint32_t> used;
    for (AgentRow r = 0; r < 8; ++r)
      used.push_back(pop.ledger().used(r));
    return std::make_pair(c, used);
  };
  auto [pooled, pooled_rows] = run(PoolMode::pooled);
  auto [passed, passed_rows] = run(PoolMode::pass_through);
  CHECK(pooled.used == passed.used);
  CHECK(pooled.peak_used == passed.peak_used);
  CHECK(pooled.allocations == passed.allocations);
  CHECK(pooled.frees == passed.frees);
  CHECK(pooled.refusals == passed.refusals);
  CHECK(pooled.reclaimed == passed.reclaimed);
  CHECK(pooled_rows == passed_rows);
  CHECK(pooled.held > passed.held);  // size-class rounding
  CHECK(passed.held == passed.used);
}

TEST_CASE("tags are interned once and limited in number") {
  Accountant acc;
  const TagId a = acc.tags().intern("genome");
  CHECK(acc.tags().intern("genome") == a);
  CHECK(acc.tags().name(a) == "genome");
  CHECK(acc.tags().name(TagRegistry::kShared) == "shared");
  CHECK_THROWS_AS(acc.tags().intern(""), std::invalid_argument);
  for (int i = 0; acc.tags().size() < TagRegistry::kMaxTags; ++i)
    acc.tags().intern("t" + std::to_string(i));
  CHECK_THROWS_AS(acc.tags().intern("one-too-many"), std::length_error);
  CHECK_THROWS_AS(acc.add_population("engine"), std::invalid_argument);
}
