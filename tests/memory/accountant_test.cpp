// The accountant: exact counters, roll-up, shared accounts, agent removal, pooled vs pass-through.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cohort/memory/accountant.hpp"
#include "cohort/memory/shared_charge.hpp"
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
    // The per-scope sums kept at settle (what per-birth budget checks read) equal the tags' sum.
    CHECK(pop.used(Scope::agents) == expected.tag_used[genome] + expected.tag_used[history]);
    CHECK(pop.used(Scope::agents) == pop.total(Scope::agents).used);
    CHECK(pop.used(Scope::population) == pop.total(Scope::population).used);
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

namespace {
// Everything a run of charges leaves behind that the slot and general paths must agree on.
struct Outcome {
  std::vector<TagCounters> counters;         // per tag, agents scope
  std::vector<std::uint64_t> rows;           // per agent: used, held, flags
  std::vector<PoolClassStats> pool_classes;  // allocations, misses, chunks in use, ...
  std::uint64_t refusals = 0;
  bool operator==(const Outcome& o) const {
    if (counters != o.counters || rows != o.rows || refusals != o.refusals) return false;
    for (std::size_t c = 0; c < pool_classes.size(); ++c) {
      const PoolClassStats& a = pool_classes[c];
      const PoolClassStats& b = o.pool_classes[c];
      if (a.allocations != b.allocations || a.misses != b.misses ||
          a.chunks_in_use != b.chunks_in_use || a.chunks_reserved != b.chunks_reserved)
        return false;
    }
    return true;
  }
};

// A seeded mix of sizes (zero, pooled, rounded, large), tags and agents (one with an override),
// under a budget tight enough to cross soft limits and refuse, through slots or general calls.
Outcome run_slot_or_general(PoolMode mode, bool use_slots) {
  Accountant acc(AccountantOptions{1, mode});
  const TagId tags[] = {acc.tags().intern("genome"), acc.tags().intern("history")};
  PopulationAccount& pop = population_with_agents(acc, "p", 16, BudgetLimits::from_hard(6000));
  pop.ledger().set_limits(3, BudgetLimits::from_hard(20000));
  ChargeContext& ctx = acc.context();
  const std::size_t sizes[] = {0, 16, 17, 48, 256, 600, 4096, 5000};
  std::vector<ChargeSlot> slots;
  for (TagId tag : tags)
    for (std::size_t bytes : sizes)
      slots.push_back(ctx.slot(pop, tag, bytes));

  struct Live {
    void* ptr;
    AgentRow row;
    std::size_t slot;
  };
  std::vector<Live> live;
  Outcome out;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t draw = rng();
    if (!live.empty() && draw % 100 < 45) {
      const std::size_t k = (draw >> 8) % live.size();
      const Live l = live[k];
      live[k] = live.back();
      live.pop_back();
      const ChargeSlot& s = slots[l.slot];
      if (use_slots)
        ctx.deallocate(s, l.row, l.ptr);
      else
        ctx.deallocate(pop, l.row, s.tag(), l.ptr, s.bytes());
      continue;
    }
    const auto row = static_cast<AgentRow>((draw >> 8) % 16);
    const std::size_t k = (draw >> 16) % slots.size();
    const ChargeSlot& s = slots[k];
    const AllocResult r =
        use_slots ? ctx.allocate(s, row) : ctx.allocate(pop, row, s.tag(), s.bytes());
    if (r.status == ChargeStatus::refused) {
      ++out.refusals;
      continue;
    }
    REQUIRE(r);
    live.push_back({r.ptr, row, k});
  }
  acc.settle();
  for (TagId tag : tags)
    out.counters.push_back(pop.counters(Scope::agents, tag));
  for (AgentRow r = 0; r < 16; ++r)
    out.rows.insert(out.rows.end(),
                    {pop.ledger().used(r), pop.ledger().held(r), pop.ledger().flags(r)});
  for (const PoolClassStats& c : acc.pool_totals().classes)
    out.pool_classes.push_back(c);
  for (const Live& l : live)
    ctx.deallocate(slots[l.slot], l.row, l.ptr);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(acc.engine_total().held == 0);
  return out;
}
}  // namespace

TEST_CASE("charge slots count exactly what the general calls count") {
  for (PoolMode mode : {PoolMode::pooled, PoolMode::pass_through}) {
    CAPTURE(static_cast<int>(mode));
    const Outcome general = run_slot_or_general(mode, false);
    const Outcome slotted = run_slot_or_general(mode, true);
    CHECK(general.refusals > 0);  // the budget really was in play
    CHECK(general.counters[0].peak_used > general.counters[0].used);
    CHECK(general == slotted);
  }
}

TEST_CASE("a slot stays valid as populations and agents are added, and rejects unknown tags") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = population_with_agents(acc, "first", 1);
  ChargeContext& ctx = acc.context();
  const ChargeSlot slot = ctx.slot(pop, tag, 40);
  CHECK(slot.bytes() == 40);
  CHECK(slot.held() == 48);
  CHECK(slot.tag() == tag);
  CHECK(&slot.population() == &pop);
  for (int i = 0; i < 50; ++i)  // moves every context's per-population counters if not stable
    population_with_agents(acc, "later" + std::to_string(i), 1);
  for (int i = 0; i < 5000; ++i)  // reallocates the ledger's columns
    pop.add_agent();
  AllocResult r = ctx.allocate(slot, 4000);
  REQUIRE(r);
  acc.settle();
  CHECK(pop.counters(Scope::agents, tag).used == 40);
  CHECK(pop.counters(Scope::agents, tag).held == 48);
  CHECK(pop.ledger().used(4000) == 40);
  ctx.deallocate(slot, 4000, r.ptr);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK_THROWS_AS(ctx.slot(pop, static_cast<TagId>(acc.tags().size()), 16), std::out_of_range);
}

TEST_CASE("ledger flags never show in used or held, and limits past kMaxBytes are rejected") {
  Accountant acc;
  const TagId tag = acc.tags().intern("beliefs");
  PopulationAccount& pop = population_with_agents(acc, "p", 3);
  ChargeContext& ctx = acc.context();
  AllocResult a = ctx.allocate(pop, 1, tag, 300);
  REQUIRE(a);
  pop.ledger().set_limits(1, BudgetLimits::from_hard(5000));  // sets the row's special bit
  CHECK(pop.ledger().used(1) == 300);
  CHECK(pop.ledger().held(1) == ctx.pools().held_for(300));
  AllocResult b = ctx.allocate(pop, 1, tag, 100);  // the checked path, with the override's limits
  REQUIRE(b);
  CHECK(pop.ledger().used(1) == 400);
  CHECK(pop.remove_agent(0) == 0);  // row 2 moves into row 0; row 1 keeps its override
  CHECK(pop.ledger().used(1) == 400);
  ctx.deallocate(pop, 1, tag, b.ptr, 100);
  pop.ledger().clear_limits(1);
  CHECK(pop.ledger().used(1) == 300);
  CHECK(pop.ledger().held(1) == ctx.pools().held_for(300));
  ctx.deallocate(pop, 1, tag, a.ptr, 300);
  CHECK(pop.ledger().used(1) == 0);
  CHECK(pop.ledger().held(1) == 0);

  BudgetLimits too_big;
  too_big.hard = BudgetLimits::kMaxBytes + 1;
  CHECK_THROWS_AS(pop.ledger().set_limits(0, too_big), std::invalid_argument);
  CHECK_THROWS_AS(pop.ledger().set_default_limits(too_big), std::invalid_argument);
  CHECK_THROWS_AS(acc.add_population("huge", too_big), std::invalid_argument);
  CHECK(acc.find_population("huge") == nullptr);
}

TEST_CASE("through a slot, an agent's override replaces the population default") {
  Accountant acc;
  const TagId tag = acc.tags().intern("genome");
  PopulationAccount& pop = acc.add_population("p", BudgetLimits::from_hard(100));
  pop.add_agent();
  pop.add_agent();
  pop.ledger().set_limits(1, BudgetLimits::from_hard(200));
  ChargeContext& ctx = acc.context();
  const ChargeSlot genome_row = ctx.slot(pop, tag, 150);
  CHECK(ctx.allocate(genome_row, 0).status == ChargeStatus::refused);
  AllocResult ok = ctx.allocate(genome_row, 1);
  REQUIRE(ok);
  CHECK(ctx.allocate(genome_row, 1).status == ChargeStatus::refused);  // 300 > 200
  ctx.deallocate(genome_row, 1, ok.ptr);
  pop.ledger().clear_limits(1);
  CHECK(ctx.allocate(genome_row, 1).status == ChargeStatus::refused);
}

TEST_CASE(
    "a shared charge reaches the counters at the next settle, with its peak between settles") {
  Accountant acc;
  const TagId tag = acc.tags().intern("index");
  PopulationAccount& pop = acc.add_population("p");
  const TagCounters& c = pop.counters(Scope::population, tag);
  {
    SharedCharge charge(acc, pop, tag);
    charge.set(100, 128);
    charge.set(300, 512);
    charge.set(200, 512);
    CHECK(c.used == 0);  // recorded, not yet charged
    CHECK(pop.unsettled_shared_used() == 200);
    acc.settle();
    CHECK(pop.unsettled_shared_used() == 0);
    CHECK(c.used == 200);
    CHECK(c.held == 512);
    CHECK(c.peak_used == 300);
    CHECK(c.peak_held == 512);
    CHECK(pop.used(Scope::population) == 200);
    charge.set(50, 128);
    acc.settle();
    CHECK(c.used == 50);
    CHECK(c.held == 128);
    CHECK(c.peak_used == 300);
    charge.set(30, 128);
    CHECK(pop.unsettled_shared_used() == -20);
    charge.set(80, 128);
    CHECK(pop.unsettled_shared_used() == 30);
  }  // destroyed while queued: releases what was charged and leaves the queue
  CHECK(pop.unsettled_shared_used() == 0);
  acc.settle();
  CHECK(c.used == 0);
  CHECK(c.held == 0);
  CHECK(pop.used(Scope::population) == 0);
  CHECK(acc.engine_total().used == 0);
}
