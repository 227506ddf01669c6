#pragma once
// A seeded random allocate/free workload with an independent model of what every counter must
// read, shared by the accountant property tests.

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "cohort/memory/accountant.hpp"

namespace cohort::memory::testing {

/// One live allocation of the workload.
struct LiveChunk {
  void* ptr;
  AgentRow row;
  TagId tag;
  std::size_t bytes;
};

/// Expected counters, kept without looking at the accountant.
struct ExpectedTotals {
  std::map<std::pair<AgentRow, TagId>, std::uint64_t> used_by_agent_tag;
  std::vector<std::uint64_t> agent_used;
  std::vector<std::uint64_t> agent_held;
  std::map<TagId, std::uint64_t> tag_used, tag_held, tag_allocs, tag_frees, tag_refusals;
};

/// Drives `steps` random operations on one population through `ctx`; checks `check` after each.
template <class Check>
std::vector<LiveChunk> run_random_workload(ChargeContext& ctx, PopulationAccount& pop,
                                           const std::vector<TagId>& tags, std::uint64_t seed,
                                           int steps, ExpectedTotals& expected, Check&& check) {
  std::mt19937_64 rng(seed);
  std::vector<LiveChunk> live;
  expected.agent_used.resize(pop.ledger().size());
  expected.agent_held.resize(pop.ledger().size());
  // Mostly small requests, some large ones past the pooled classes.
  std::uniform_int_distribution<std::size_t> small(0, 600);
  std::uniform_int_distribution<std::size_t> large(4000, 9000);
  for (int i = 0; i < steps; ++i) {
    const bool free_one = !live.empty() && (rng() % 100) < 45;
    if (free_one) {
      const std::size_t k = rng() % live.size();
      const LiveChunk c = live[k];
      live[k] = live.back();
      live.pop_back();
      const std::size_t held = ctx.pools().held_for(c.bytes);
      ctx.deallocate(pop, c.row, c.tag, c.ptr, c.bytes);
      expected.agent_used[c.row] -= c.bytes;
      expected.agent_held[c.row] -= held;
      expected.tag_used[c.tag] -= c.bytes;
      expected.tag_held[c.tag] -= held;
      ++expected.tag_frees[c.tag];
    } else {
      const auto row = static_cast<AgentRow>(rng() % pop.ledger().size());
      const TagId tag = tags[rng() % tags.size()];
      const std::size_t bytes = (rng() % 10 == 0) ? large(rng) : small(rng);
      const AllocResult r = ctx.allocate(pop, row, tag, bytes);
      if (r.status == ChargeStatus::refused) {
        REQUIRE(expected.agent_used[row] + bytes > pop.ledger().limits(row).hard);
        ++expected.tag_refusals[tag];
        check(i);
        continue;
      }
      REQUIRE(r.status == ChargeStatus::ok);
      const std::size_t held = ctx.pools().held_for(bytes);
      live.push_back({r.ptr, row, tag, bytes});
      expected.agent_used[row] += bytes;
      expected.agent_held[row] += held;
      expected.tag_used[tag] += bytes;
      expected.tag_held[tag] += held;
      ++expected.tag_allocs[tag];
    }
    check(i);
  }
  return live;
}

/// Every population's agents and own totals sum to the engine total; each agent's ledger sums
/// to its population's agent scope. Call after settle().
inline void check_rollup(const Accountant& acc) {
  TagCounters sum;
  for (std::size_t p = 0; p < acc.population_count(); ++p) {
    const PopulationAccount& pop = acc.population(p);
    std::uint64_t ledger_used = 0;
    std::uint64_t ledger_held = 0;
    for (AgentRow r = 0; r < pop.ledger().size(); ++r) {
      ledger_used += pop.ledger().used(r);
      ledger_held += pop.ledger().held(r);
    }
    const TagCounters agents = pop.total(Scope::agents);
    REQUIRE(agents.used == ledger_used + pop.orphaned_used());
    REQUIRE(agents.held == ledger_held + pop.orphaned_held());
    sum += agents;
    sum += pop.total(Scope::population);
  }
  const TagCounters engine = acc.engine_total();
  REQUIRE(engine.used == sum.used);
  REQUIRE(engine.held == sum.held);
  REQUIRE(engine.allocations == sum.allocations);
  REQUIRE(engine.frees == sum.frees);
}

}  // namespace cohort::memory::testing
