// Per-agent budgets: the exact boundary, refusals, reclaimers and hysteresis.
#include <doctest/doctest.h>

#include <vector>

#include "cohort/memory/accountant.hpp"

using namespace cohort::memory;

namespace {

struct Snapshot {
  std::uint32_t used, held;
  TagCounters counters;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(Accountant& acc, PopulationAccount& pop, AgentRow row, TagId tag) {
  acc.settle();
  TagCounters c = pop.counters(Scope::agents, tag);
  c.refusals = 0;  // the one counter a refusal is meant to change
  return {pop.ledger().used(row), pop.ledger().held(row), c};
}

// A history the reclaimer can evict from, oldest first, like the belief model's ring.
struct EvictableHistory {
  std::vector<void*> chunks;
  std::size_t chunk_bytes;
  TagId tag;

  void push(ChargeContext& ctx, PopulationAccount& pop, AgentRow row) {
    AllocResult r = ctx.allocate(pop, row, tag, chunk_bytes);
    REQUIRE(r);
    chunks.push_back(r.ptr);
  }
  void evict_oldest(const ReclaimRequest& req) {
    std::uint64_t freed = 0;
    while (freed < req.bytes_to_free && !chunks.empty()) {
      req.context.deallocate(req.population, req.row, tag, chunks.front(), chunk_bytes);
      chunks.erase(chunks.begin());
      freed += chunk_bytes;
    }
  }
  void clear(ChargeContext& ctx, PopulationAccount& pop, AgentRow row) {
    for (void* p : chunks)
      ctx.deallocate(pop, row, tag, p, chunk_bytes);
    chunks.clear();
  }
};

}  // namespace

TEST_CASE("a 1000-byte budget admits 600 + 400 and refuses one byte more, changing nothing") {
  // Budgets count requested bytes; size-class rounding (600 -> 640, 400 -> 448) shows only in held.
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId history = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("belief_agents", BudgetLimits::from_hard(1000));
  for (int i = 0; i < 4712; ++i)
    pop.add_agent();
  ChargeContext& ctx = acc.context();
  const AgentRow row = 4711;

  AllocResult a = ctx.allocate(pop, row, history, 600);
  AllocResult b = ctx.allocate(pop, row, history, 400);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(pop.ledger().used(row) == 1000);
  CHECK(pop.ledger().held(row) == 640 + 448);

  const Snapshot before = snapshot(acc, pop, row, history);
  const PoolTotals pools_before = acc.pool_totals();
  AllocResult c = ctx.allocate(pop, row, history, 1);
  CHECK(c.status == ChargeStatus::refused);
  CHECK(c.ptr == nullptr);
  CHECK(snapshot(acc, pop, row, history) == before);
  CHECK(acc.pool_totals().classes[0].allocations == pools_before.classes[0].allocations);
  CHECK(pop.counters(Scope::agents, history).refusals == 1);
  CHECK((pop.ledger().flags(row) & AgentLedger::kRefused) != 0);

  const BudgetRefusal refusal = ctx.last_refusal();
  CHECK(refusal.account_path == "belief_agents/agent 4711");
  CHECK(refusal.tag == "history");
  CHECK(refusal.requested == 1);
  CHECK(refusal.in_use == 1000);
  CHECK(refusal.limit == 1000);
  CHECK(refusal.message() ==
        "memory budget refused: belief_agents/agent 4711/history requested 1 bytes with 1000 "
        "bytes in use, over its hard limit of 1000 bytes. Remedy: raise the hard budget of "
        "population 'belief_agents', give this agent its own larger budget, or have the model "
        "register a reclaimer (e.g. evict old history) so memory is freed at the soft limit.");

  ctx.deallocate(pop, row, history, b.ptr, 400);
  AllocResult d = ctx.allocate(pop, row, history, 400);  // room again after a free
  CHECK(d);
  ctx.deallocate(pop, row, history, d.ptr, 400);
  ctx.deallocate(pop, row, history, a.ptr, 600);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
}

TEST_CASE("refusal messages use the engine's agent id and name oversized requests") {
  Accountant acc;
  const TagId tag = acc.tags().intern("beliefs");
  PopulationAccount& pop = acc.add_population("explorers", BudgetLimits::from_hard(256));
  pop.add_agent();
  pop.set_agent_id_of([](AgentRow row) { return std::uint64_t{row} + 9000; });
  ChargeContext& ctx = acc.context();
  CHECK(ctx.allocate(pop, 0, tag, 300).status == ChargeStatus::refused);
  const BudgetRefusal r = ctx.last_refusal();
  CHECK(r.account_path == "explorers/agent 9000");
  CHECK(r.remedy.find("larger than the whole budget") != std::string::npos);
  BudgetExceeded ex(r);
  CHECK(std::string(ex.what()) == r.message());
}

TEST_CASE("per-agent overrides replace the population default") {
  Accountant acc;
  const TagId tag = acc.tags().intern("beliefs");
  PopulationAccount& pop = acc.add_population("p", BudgetLimits::from_hard(100));
  pop.add_agent();
  pop.add_agent();
  pop.ledger().set_limits(1, BudgetLimits::from_hard(200));
  ChargeContext& ctx = acc.context();
  CHECK(ctx.allocate(pop, 0, tag, 150).status == ChargeStatus::refused);
  AllocResult ok = ctx.allocate(pop, 1, tag, 150);
  CHECK(ok);
  ctx.deallocate(pop, 1, tag, ok.ptr, 150);
  pop.ledger().clear_limits(1);
  CHECK(ctx.allocate(pop, 1, tag, 150).status == ChargeStatus::refused);
}

TEST_CASE("crossing the soft limit runs reclaimers in order down to the low-water mark") {
  Accountant acc;
  const TagId history = acc.tags().intern("history");
  // hard 1000, soft 900, low water 800
  PopulationAccount& pop = acc.add_population("agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  EvictableHistory hist{{}, 100, history};
  std::vector<std::string> calls;
  pop.add_reclaimer({"evict_history", [&](const ReclaimRequest& req) {
                       calls.push_back("evict_history:" + std::to_string(req.bytes_to_free));
                       hist.evict_oldest(req);
                     }});
  pop.add_reclaimer({"prune_beliefs", [&](const ReclaimRequest& req) {
                       calls.push_back("prune_beliefs:" + std::to_string(req.bytes_to_free));
                     }});

  for (int i = 0; i < 9; ++i)
    hist.push(ctx, pop, 0);  // 900 bytes: at soft, not over
  CHECK(calls.empty());
  hist.push(ctx, pop, 0);  // 1000 > 900: free until the request fits under low water (800)
  REQUIRE(calls.size() == 1);
  CHECK(calls[0] == "evict_history:200");
  CHECK(pop.ledger().used(0) == 800);

  // Hysteresis: growing back to the soft limit does not reclaim; crossing it again does.
  calls.clear();
  hist.push(ctx, pop, 0);
  CHECK(calls.empty());
  CHECK(pop.ledger().used(0) == 900);
  hist.push(ctx, pop, 0);
  CHECK(calls.size() == 1);
  CHECK(pop.ledger().used(0) == 800);
  acc.settle();
  CHECK(pop.counters(Scope::agents, history).reclaimed == 400);
  CHECK(pop.rung(0).runs == 2);
  CHECK(pop.rung(0).bytes == 400);
  CHECK(pop.rung(1).runs == 0);  // the first rung reached the target
  CHECK((pop.ledger().flags(0) & AgentLedger::kFirstRung) != 0);
  CHECK((pop.ledger().flags(0) & (AgentLedger::kFirstRung << 1)) == 0);
  hist.clear(ctx, pop, 0);
}

TEST_CASE("when reclaimers cannot free, the next rung runs, then the request is refused") {
  Accountant acc;
  const TagId beliefs = acc.tags().intern("beliefs");
  PopulationAccount& pop = acc.add_population("agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  int first = 0;
  int second = 0;
  pop.add_reclaimer({"evict_history", [&](const ReclaimRequest&) { ++first; }});
  pop.add_reclaimer({"prune_beliefs", [&](const ReclaimRequest&) { ++second; }});
  AllocResult base = ctx.allocate(pop, 0, beliefs, 500);  // under soft: no reclaim
  REQUIRE(base);
  CHECK(first == 0);
  AllocResult a = ctx.allocate(pop, 0, beliefs, 450);  // 950 > 900: both rungs run, free nothing
  REQUIRE(a);
  CHECK(first == 1);
  CHECK(second == 1);
  CHECK((pop.ledger().flags(0) & AgentLedger::kReclaimExhausted) != 0);

  // Exhausted: further requests over soft skip the futile reclaimers until the agent frees.
  AllocResult b = ctx.allocate(pop, 0, beliefs, 40);
  REQUIRE(b);
  CHECK(first == 1);
  CHECK(ctx.allocate(pop, 0, beliefs, 20).status == ChargeStatus::refused);
  CHECK(first == 1);
  CHECK(ctx.last_refusal().remedy.find("evict_history, prune_beliefs") != std::string::npos);

  ctx.deallocate(pop, 0, beliefs, b.ptr, 40);  // any free clears the flag
  CHECK((pop.ledger().flags(0) & AgentLedger::kReclaimExhausted) == 0);
  AllocResult c = ctx.allocate(pop, 0, beliefs, 40);
  CHECK(c);
  CHECK(first == 2);
  acc.settle();
  CHECK(pop.counters(Scope::agents, beliefs).refusals == 1);
  CHECK(pop.counters(Scope::agents, beliefs).reclaimed == 0);
  ctx.deallocate(pop, 0, beliefs, c.ptr, 40);
  ctx.deallocate(pop, 0, beliefs, a.ptr, 450);
  ctx.deallocate(pop, 0, beliefs, base.ptr, 500);
}

TEST_CASE("an allocation made inside a reclaimer does not recurse into reclaiming") {
  Accountant acc;
  const TagId history = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  int depth_seen = 0;
  void* recompressed = nullptr;
  std::vector<void*> raw;
  pop.add_reclaimer({"recompress", [&](const ReclaimRequest& req) {
                       ++depth_seen;
                       // Replace three 200 B raw blocks by one 150 B compressed block.
                       AllocResult r = req.context.allocate(req.population, req.row, history, 150);
                       REQUIRE(r);
                       recompressed = r.ptr;
                       for (void* p : raw)
                         req.context.deallocate(req.population, req.row, history, p, 200);
                       raw.clear();
                     }});
  for (int i = 0; i < 3; ++i)
    raw.push_back(ctx.allocate(pop, 0, history, 200).ptr);
  AllocResult big = ctx.allocate(pop, 0, history, 400);  // 1000 > 900
  REQUIRE(big);
  CHECK(depth_seen == 1);
  CHECK(pop.ledger().used(0) == 550);
  acc.settle();
  CHECK(pop.counters(Scope::agents, history).reclaimed == 600);  // gross bytes freed
  CHECK(pop.rung(0).bytes == 450);                               // net: 600 freed, 150 re-allocated
  ctx.deallocate(pop, 0, history, big.ptr, 400);
  ctx.deallocate(pop, 0, history, recompressed, 150);
}

TEST_CASE("budget limits are validated") {
  CHECK_THROWS_AS(BudgetLimits::from_hard(0), std::invalid_argument);
  CHECK_THROWS_AS(BudgetLimits::from_hard(std::uint64_t{BudgetLimits::kMaxBytes} + 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(BudgetLimits::from_hard(100, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(BudgetLimits::from_hard(100, 0.5, 0.6), std::invalid_argument);
  const BudgetLimits l = BudgetLimits::from_hard(16384);
  CHECK(l.hard == 16384);
  CHECK(l.soft == 14745);
  CHECK(l.low_water == 13107);
}

TEST_CASE("through a slot, a budget admits exactly up to its limit and refuses one more") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId history = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("belief_agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  const ChargeSlot block = ctx.slot(pop, history, 100);
  std::vector<void*> got;
  for (int i = 0; i < 10; ++i) {  // the 10th crosses the soft limit (900) and is still admitted
    AllocResult r = ctx.allocate(block, 1);
    REQUIRE(r);
    got.push_back(r.ptr);
  }
  CHECK(pop.ledger().used(1) == 1000);
  CHECK(pop.ledger().held(1) == 1120);

  const Snapshot before = snapshot(acc, pop, 1, history);
  const auto allocs_before = acc.pool_totals().classes[SizeClasses::of(100)].allocations;
  AllocResult refused = ctx.allocate(block, 1);
  CHECK(refused.status == ChargeStatus::refused);
  CHECK(refused.ptr == nullptr);
  CHECK(snapshot(acc, pop, 1, history) == before);
  CHECK(acc.pool_totals().classes[SizeClasses::of(100)].allocations == allocs_before);
  CHECK(pop.counters(Scope::agents, history).refusals == 1);
  CHECK((pop.ledger().flags(1) & AgentLedger::kRefused) != 0);
  const BudgetRefusal r = ctx.last_refusal();
  CHECK(r.account_path == "belief_agents/agent 1");
  CHECK(r.tag == "history");
  CHECK(r.requested == 100);
  CHECK(r.in_use == 1000);
  CHECK(r.limit == 1000);

  AllocResult other = ctx.allocate(block, 0);  // another agent's budget is its own
  REQUIRE(other);
  ctx.deallocate(block, 1, got.back());
  got.pop_back();
  AllocResult again = ctx.allocate(block, 1);  // room again after a free
  REQUIRE(again);
  got.push_back(again.ptr);
  for (void* p : got)
    ctx.deallocate(block, 1, p);
  ctx.deallocate(block, 0, other.ptr);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
  CHECK(pop.counters(Scope::agents, history).allocations == 12);
}

TEST_CASE("a slot larger than any budget is refused, even past 32 bits") {
  Accountant acc(AccountantOptions{1, PoolMode::pooled});
  const TagId tag = acc.tags().intern("beliefs");
  PopulationAccount& small = acc.add_population("small", BudgetLimits::from_hard(256));
  PopulationAccount& unlimited = acc.add_population("unlimited");
  small.add_agent();
  unlimited.add_agent();
  ChargeContext& ctx = acc.context();
  CHECK(ctx.allocate(ctx.slot(small, tag, 300), 0).status == ChargeStatus::refused);
  CHECK(ctx.last_refusal().remedy.find("larger than the whole budget") != std::string::npos);
  // 2^32 + 16 bytes must not pass as 16: no budget can admit more than kMaxBytes.
  const std::size_t huge = (std::size_t{1} << 32) + 16;
  for (PopulationAccount* pop : {&small, &unlimited}) {
    const ChargeSlot slot = ctx.slot(*pop, tag, huge);
    CHECK(slot.bytes() == huge);
    CHECK(ctx.allocate(slot, 0).status == ChargeStatus::refused);
    CHECK(ctx.last_refusal().requested == huge);
    CHECK(pop->ledger().used(0) == 0);
  }
}

TEST_CASE("reclaimers run, count and clear their marks the same through slots") {
  Accountant acc;
  const TagId history = acc.tags().intern("history");
  const TagId beliefs = acc.tags().intern("beliefs");
  PopulationAccount& pop = acc.add_population("agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  const ChargeSlot block = ctx.slot(pop, history, 100);
  std::vector<void*> ring;  // oldest first
  int runs = 0;
  pop.add_reclaimer({"evict_history", [&](const ReclaimRequest& req) {
                       ++runs;
                       std::uint64_t freed = 0;
                       while (freed < req.bytes_to_free && !ring.empty()) {
                         req.context.deallocate(block, req.row, ring.front());
                         ring.erase(ring.begin());
                         freed += 100;
                       }
                     }});
  for (int i = 0; i < 10; ++i) {  // the 10th crosses soft: evict down to low water (800)
    AllocResult r = ctx.allocate(block, 0);
    REQUIRE(r);
    ring.push_back(r.ptr);
  }
  CHECK(runs == 1);
  CHECK(pop.ledger().used(0) == 800);
  acc.settle();
  CHECK(pop.counters(Scope::agents, history).reclaimed == 200);  // slot frees count as reclaimed

  // Fill with beliefs the reclaimer cannot free: it runs once more, frees nothing, and the agent
  // is marked exhausted, so slot allocations over soft skip it until a slot free clears the mark.
  for (void* p : ring)
    ctx.deallocate(block, 0, p);
  ring.clear();
  const ChargeSlot belief = ctx.slot(pop, beliefs, 450);
  AllocResult a = ctx.allocate(belief, 0);
  AllocResult b = ctx.allocate(belief, 0);  // 900: at soft
  REQUIRE(a);
  REQUIRE(b);
  AllocResult c = ctx.allocate(block, 0);  // 1000 > 900: the reclaimer runs, frees nothing
  REQUIRE(c);
  CHECK(runs == 2);
  CHECK((pop.ledger().flags(0) & AgentLedger::kReclaimExhausted) != 0);
  CHECK(ctx.allocate(block, 0).status == ChargeStatus::refused);
  CHECK(runs == 2);
  ctx.deallocate(block, 0, c.ptr);  // any free clears the mark
  CHECK((pop.ledger().flags(0) & AgentLedger::kReclaimExhausted) == 0);
  AllocResult d = ctx.allocate(block, 0);
  REQUIRE(d);
  CHECK(runs == 3);
  CHECK(pop.ledger().used(0) == 1000);
  ctx.deallocate(block, 0, d.ptr);
  ctx.deallocate(belief, 0, a.ptr);
  ctx.deallocate(belief, 0, b.ptr);
  acc.settle();
  CHECK(acc.engine_total().used == 0);
}

TEST_CASE("a request larger than the whole hard limit is refused without running reclaimers") {
  Accountant acc;
  const TagId history = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("agents", BudgetLimits::from_hard(1000));
  pop.add_agent();
  ChargeContext& ctx = acc.context();
  int runs = 0;
  pop.add_reclaimer({"evict_history", [&](const ReclaimRequest&) { ++runs; }});
  AllocResult kept = ctx.allocate(pop, 0, history, 500);
  REQUIRE(kept);
  CHECK(ctx.allocate(pop, 0, history, 1001).status == ChargeStatus::refused);
  CHECK(runs == 0);  // reclaiming could not have made room: nothing was destroyed
  CHECK(pop.ledger().used(0) == 500);
  ctx.deallocate(pop, 0, history, kept.ptr, 500);
}
