// The memory report: rows, per-population distribution, pools, process, text and JSON.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cohort/memory/accountant.hpp"
#include "cohort/memory/report.hpp"
#include "cohort/memory/text_table.hpp"

using namespace cohort::memory;

namespace {
struct Fixture {
  Accountant acc{AccountantOptions{1, PoolMode::pooled}};
  TagId history = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("walkers", BudgetLimits::from_hard(4096));
  std::vector<std::pair<AgentRow, void*>> live;
  void* shared = nullptr;

  Fixture() {
    pop.set_fixed_bytes_per_agent(24);
    pop.set_agent_id_of([](AgentRow r) { return std::uint64_t{r} + 1000; });
    ChargeContext& ctx = acc.context();
    for (AgentRow r = 0; r < 100; ++r) {
      pop.add_agent();
      if (r == 0) continue;
      AllocResult a = ctx.allocate(pop, r, history, std::size_t{r} * 10);  // 0, 10, ..., 990
      REQUIRE(a);
      live.emplace_back(r, a.ptr);
    }
    shared = ctx.allocate_shared(pop, TagRegistry::kShared, 1000);
    acc.settle();
  }
  ~Fixture() {
    ChargeContext& ctx = acc.context();
    for (auto [r, p] : live)
      ctx.deallocate(pop, r, history, p, std::size_t{r} * 10);
    ctx.deallocate_shared(pop, TagRegistry::kShared, shared, 1000);
  }
};
}  // namespace

TEST_CASE("the report lists each account and tag with its counters and limit") {
  Fixture f;
  const MemoryReport report = MemoryReport::build(f.acc, {3, false});
  REQUIRE(report.rows.size() == 4);
  CHECK(report.rows[0].account == "(total)");
  CHECK(report.rows[0].counters.used == 49500 + 1000);
  CHECK(report.rows[1].account == "walkers");
  CHECK(report.rows[1].tag == "(all)");
  CHECK(report.rows[2].account == "walkers");
  CHECK(report.rows[2].tag == "shared");
  CHECK(report.rows[2].counters.used == 1000);
  CHECK_FALSE(report.rows[2].limit.has_value());
  CHECK(report.rows[3].account == "walkers/agents");
  CHECK(report.rows[3].tag == "history");
  CHECK(report.rows[3].counters.used == 49500);
  CHECK(report.rows[3].counters.allocations == 99);
  CHECK(report.rows[3].limit == 4096);
  CHECK(report.accounted_used == 50500);
}

TEST_CASE("the population summary gives bytes per agent, their distribution and top agents") {
  Fixture f;
  const MemoryReport report = MemoryReport::build(f.acc, {3, false});
  REQUIRE(report.populations.size() == 1);
  const PopulationSummary& p = report.populations[0];
  CHECK(p.agents == 100);
  CHECK(p.fixed_bytes_per_agent == 24);
  CHECK(p.variable_used == 49500);
  CHECK(p.min == 0);
  CHECK(p.p50 == 490);
  CHECK(p.p99 == 980);
  CHECK(p.max == 990);
  REQUIRE(p.top.size() == 3);
  CHECK(p.top[0].agent_id == 1099);
  CHECK(p.top[0].used == 990);
  CHECK(p.top[2].agent_id == 1097);
  CHECK(p.hard_limit == 4096);
  CHECK(p.soft_limit == 3686);
  CHECK(p.shared_held == 1024);
  CHECK(p.bytes_per_agent() == doctest::Approx(24.0 + static_cast<double>(p.variable_held) / 100));
}

TEST_CASE("pool rows show reuse and idle bytes, and the process section reads /proc") {
  Fixture f;
  const MemoryReport report = MemoryReport::build(f.acc);
  REQUIRE_FALSE(report.pool_classes.empty());
  std::uint64_t in_use_bytes = 0;
  for (const PoolClassRow& c : report.pool_classes) {
    CHECK(c.chunks_reserved >= static_cast<std::uint64_t>(c.chunks_in_use));
    CHECK(c.hit_rate() >= 0.0);
    CHECK(c.hit_rate() <= 1.0);
    in_use_bytes += static_cast<std::uint64_t>(c.chunks_in_use) * c.chunk_bytes;
  }
  CHECK(in_use_bytes == report.accounted_held);  // nothing large and nothing external here
  CHECK(report.process.rss > 0);
  CHECK(report.process.peak_rss >= report.process.rss);
}

TEST_CASE("text and JSON renderings carry the same figures") {
  Fixture f;
  const MemoryReport report = MemoryReport::build(f.acc, {2, false});
  const std::string text = report.to_text();
  CHECK(text.find("memory report (pooled allocation)") != std::string::npos);
  CHECK(text.find("walkers/agents") != std::string::npos);
  CHECK(text.find("population walkers: 100 agents") != std::string::npos);
  CHECK(text.find("top agents: 1099 (990 B) 1098 (980 B)") != std::string::npos);
  const nlohmann::json j = report.to_json();
  CHECK(j["accounts"][3]["used"] == 49500);
  CHECK(j["accounts"][3]["limit_per_agent"] == 4096);
  CHECK(j["populations"][0]["per_agent_used"]["p99"] == 980);
  CHECK(j["populations"][0]["top_agents"][0]["agent"] == 1099);
  CHECK(j["totals"]["accounted_used"] == 50500);
  CHECK(j["process"]["rss"].get<std::uint64_t>() > 0);
}

TEST_CASE("memory.json marks total and subtotal rows, and the detail rows add up to the total") {
  Fixture f;
  const nlohmann::json j = MemoryReport::build(f.acc, {2, false}).to_json();
  std::uint64_t detail_used = 0;
  std::vector<std::string> kinds;
  for (const nlohmann::json& row : j["accounts"]) {
    kinds.push_back(row["kind"]);
    if (row["kind"] == "detail") detail_used += row["used"].get<std::uint64_t>();
  }
  REQUIRE(kinds.size() >= 3);
  CHECK(kinds[0] == "total");
  CHECK(j["accounts"][0]["account"] == "(total)");
  CHECK(std::count(kinds.begin(), kinds.end(), "total") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "subtotal") == 1);  // the walkers population
  CHECK(detail_used == 50500);
  CHECK(j["accounts"][0]["used"] == 50500);
}

TEST_CASE("text tables align columns") {
  TextTable t({"name", "bytes"}, {false, true});
  t.add_row({"a", "1"});
  t.add_row({"longer", "12345"});
  CHECK(t.render() ==
        "name    bytes\n"
        "-------------\n"
        "a           1\n"
        "longer  12345\n");
  CHECK_THROWS_AS(t.add_row({"x"}), std::invalid_argument);
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(3.0 * 1024 * 1024) == "3.0 MiB");
}

TEST_CASE("per-class chunks in use are derived from the free lists, exactly across threads") {
  Accountant acc(AccountantOptions{2, PoolMode::pooled});
  const TagId tag = acc.tags().intern("history");
  PopulationAccount& pop = acc.add_population("p");
  pop.add_agent();
  ChargeContext& ctx0 = acc.context(0);
  ChargeContext& ctx1 = acc.context(1);
  const ChargeSlot on0 = ctx0.slot(pop, tag, 48);
  const ChargeSlot on1 = ctx1.slot(pop, tag, 48);
  const SizeClass c = SizeClasses::of(48);
  std::vector<void*> live;
  for (int i = 0; i < 300; ++i)
    live.push_back(ctx0.allocate(on0, 0).ptr);
  for (int i = 0; i < 100; ++i) {  // the agent moved to thread 1, which frees some of them
    ctx1.deallocate(on1, 0, live.back());
    live.pop_back();
  }
  // Per set the count may be negative (thread 1 holds freed chunks it never handed out); the
  // sum over sets is exact.
  CHECK(ctx0.pools().class_stats(c).chunks_in_use == 300);
  CHECK(ctx1.pools().class_stats(c).chunks_in_use == -100);
  for (int i = 0; i < 50; ++i)  // thread 1 reuses those chunks: hits, no block of its own
    live.push_back(ctx1.allocate(on1, 0).ptr);
  CHECK(ctx1.pools().class_stats(c).chunks_in_use == -50);
  CHECK(ctx1.pools().class_stats(c).misses == 0);
  CHECK(ctx1.pools().class_stats(c).blocks == 0);
  acc.settle();

  const PoolClassStats set0 = ctx0.pools().class_stats(c);
  const MemoryReport report = MemoryReport::build(acc);
  REQUIRE(report.pool_classes.size() == 1);
  const PoolClassRow& row = report.pool_classes[0];
  CHECK(row.chunk_bytes == 48);
  CHECK(row.chunks_in_use == 250);
  CHECK(row.chunks_reserved == set0.chunks_reserved);
  CHECK(row.chunks_reserved >= 300);
  CHECK(row.allocations == 350);
  CHECK(row.misses == set0.blocks);  // each miss took one block
  CHECK(row.hit_rate() == doctest::Approx(static_cast<double>(350 - set0.blocks) / 350));
  CHECK(row.idle_bytes() == set0.block_bytes - 250 * 48);
  CHECK(report.pool_idle_bytes == row.idle_bytes());
  CHECK(report.accounted_held == 250 * 48);

  for (void* p : live)
    ctx0.deallocate(on0, 0, p);
  acc.settle();
  CHECK(MemoryReport::build(acc).pool_classes[0].chunks_in_use == 0);
}
