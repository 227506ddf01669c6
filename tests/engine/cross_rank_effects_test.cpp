// Effects sent to agents another rank owns (BlockContext::emit_to_rank) are applied there in the
// single-process order, so a run spread over ranks ends as the run on one process. Ranks are
// played by threads (tests/distributed/thread_ranks.hpp).
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "cohort/engine/world.hpp"
#include "distributed/thread_ranks.hpp"

using namespace cohort::engine;

namespace {

// A non-commutative fold, so any change in the order effects are applied changes the result.
std::uint64_t fold(std::uint64_t acc, std::uint64_t v) {
  return acc * 0x100000001b3ull ^ v;
}

// 600 senders each send 1-3 effects a step to random receivers of 80, over `ranks` ranks: every
// rank creates every agent (the same uids and handles everywhere) and keeps those it owns (uid
// mod ranks); a sender addresses a receiver on its owner. Returns the receivers' folded values
// by uid, gathered from their owners.
std::map<Uid, std::uint64_t> spread(int ranks, std::size_t threads) {
  std::map<Uid, std::uint64_t> out;
  std::mutex out_mutex;
  cohort::testing::ThreadRanks group(ranks);
  group.run([&](const RankGroup& me) {
    const auto owner = [&](Uid uid) { return static_cast<int>(uid % static_cast<Uid>(ranks)); };
    World world(WorldOptions{.seed = 5,
                             .threads = threads,
                             .ranks = std::shared_ptr<const RankGroup>(&me, [](auto*) {})});
    Population& senders = world.add_population("senders", {.agent_ledger = false});
    Population& receivers = world.add_population("receivers", {.agent_ledger = false});
    const Component<std::uint64_t> value = receivers.add_component<std::uint64_t>("value");
    std::vector<AgentId> all_senders, targets;
    for (int i = 0; i < 600; ++i)
      all_senders.push_back(senders.create());
    for (int i = 0; i < 80; ++i)
      targets.push_back(receivers.create());
    std::vector<Uid> target_uids;
    for (const AgentId t : targets)
      target_uids.push_back(receivers.uid_at(receivers.row_of(t)));
    for (const AgentId s : all_senders)
      if (owner(senders.uid_at(senders.row_of(s))) != me.rank()) senders.destroy(s);
    for (std::size_t k = 0; k < targets.size(); ++k)
      if (owner(target_uids[k]) != me.rank()) receivers.destroy(targets[k]);
    const Effect<std::uint64_t> gift = world.add_effect<std::uint64_t>(
        "gift", receivers, [value](Population& p, Row r, std::uint64_t v) {
          p.column(value)[r] = fold(p.column(value)[r], v);
        });
    world.add_system("give", "update", senders,
                     [&](BlockContext& ctx, Row begin, Row end) {
                       const auto uids = ctx.population.uids();
                       for (Row r = begin; r < end; ++r) {
                         RandomStream rng = ctx.rng(uids[r], 0);
                         const std::uint32_t n = 1 + rng.below(3);
                         for (std::uint32_t k = 0; k < n; ++k) {
                           const std::uint32_t t = rng.below(80);
                           ctx.emit_to_rank(gift, r, owner(target_uids[t]), targets[t],
                                            uids[r] * 10 + k + 1000 * ctx.step);
                         }
                       }
                     },
                     {.cost_ns = 2000});  // small blocks: several per thread
    for (int s = 0; s < 3; ++s)
      world.run_step();
    std::lock_guard lock(out_mutex);
    for (Row r = 0; r < receivers.size(); ++r)
      out[receivers.uid_at(r)] = receivers.column(value)[r];
  });
  return out;
}

}  // namespace

TEST_CASE("effects sent to other ranks apply in the single-process order") {
  const auto one = spread(1, 1);
  REQUIRE(one.size() == 80);
  std::set<std::uint64_t> distinct;
  for (const auto& [uid, v] : one)
    distinct.insert(v);
  CHECK(distinct.size() > 70);  // receivers really got different sequences
  CHECK(spread(2, 1) == one);
  CHECK(spread(3, 2) == one);
}

TEST_CASE("an effect for a rank outside the run is refused") {
  World world(WorldOptions{.seed = 1, .threads = 1});
  Population& pop = world.add_population("p", {.agent_ledger = false});
  const AgentId a = pop.create();
  const Effect<int> poke = world.add_effect<int>("poke", pop, [](Population&, Row, int) {});
  world.add_system("poke", "update", pop, [&](BlockContext& ctx, Row begin, Row) {
    ctx.emit_to_rank(poke, begin, 1, a, 7);
  });
  CHECK_THROWS_AS(world.run_step(), std::out_of_range);
}
