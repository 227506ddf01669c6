// Agents that interact: effects, claims, births, schedulers, tasks and accumulators give the same
// result on any thread count and whatever rows the agents sit in; effects also on any rank count.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "cohort/engine/row_accumulator.hpp"
#include "cohort/engine/world.hpp"
#include "distributed/thread_ranks.hpp"

using namespace cohort::engine;

namespace {

// A non-commutative fold, so any change in the order effects are applied changes the result.
std::uint64_t fold(std::uint64_t acc, std::uint64_t v) {
  return acc * 0x100000001b3ull ^ v;
}

// 3000 senders each send 1-3 effects a step to random receivers of 500; receivers fold what
// they get. Returns each receiver's folded value by uid. `shuffle` permutes both populations'
// rows first. Over `ranks` ranks (threads playing them, distributed/thread_ranks.hpp) every rank
// creates every agent (the same uids and handles everywhere) and keeps those it owns (uid mod
// ranks); a sender addresses a receiver on its owner (emit_to_rank), and the values are gathered
// from the owners.
std::map<Uid, std::uint64_t> exchange(std::size_t threads, bool shuffle, int steps = 3,
                                      int ranks = 1) {
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
    for (int i = 0; i < 3000; ++i)
      all_senders.push_back(senders.create());
    for (int i = 0; i < 500; ++i)
      targets.push_back(receivers.create());
    std::vector<Uid> target_uids;
    for (const AgentId t : targets)
      target_uids.push_back(receivers.uid_at(receivers.row_of(t)));
    for (const AgentId s : all_senders)
      if (owner(senders.uid_at(senders.row_of(s))) != me.rank()) senders.destroy(s);
    for (std::size_t k = 0; k < targets.size(); ++k)
      if (owner(target_uids[k]) != me.rank()) receivers.destroy(targets[k]);
    if (shuffle) {
      std::mt19937 rng(1);
      std::vector<Row> order(senders.size());
      std::iota(order.begin(), order.end(), Row{0});
      std::shuffle(order.begin(), order.end(), rng);
      senders.permute(order);
      order.resize(receivers.size());
      std::iota(order.begin(), order.end(), Row{0});
      std::shuffle(order.begin(), order.end(), rng);
      receivers.permute(order);
    }
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
                           const std::uint32_t t = rng.below(500);
                           if (ranks == 1)
                             ctx.emit(gift, r, targets[t], uids[r] * 10 + k);
                           else
                             ctx.emit_to_rank(gift, r, owner(target_uids[t]), targets[t],
                                              uids[r] * 10 + k);
                         }
                       }
                     },
                     {.cost_ns = 2000});  // small blocks: many blocks even for 3000 senders
    for (int s = 0; s < steps; ++s)
      world.run_step();
    std::lock_guard lock(out_mutex);
    for (Row r = 0; r < receivers.size(); ++r)
      out[receivers.uid_at(r)] = receivers.column(value)[r];
  });
  return out;
}

}  // namespace

TEST_CASE("effects sent to other ranks apply in the single-process order") {
  const auto one = exchange(1, false);
  CHECK(exchange(1, false, 3, 2) == one);
  CHECK(exchange(2, true, 3, 3) == one);
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

TEST_CASE("effects apply in (target, source uid, emission) order on any thread count") {
  const auto one = exchange(1, false);
  CHECK(exchange(2, false) == one);
  CHECK(exchange(3, false) == one);
  std::set<std::uint64_t> distinct;
  for (const auto& [uid, v] : one)
    distinct.insert(v);
  CHECK(distinct.size() > 400);  // receivers really got different sequences
}

TEST_CASE("effects apply in the same order whatever rows the agents sit in") {
  CHECK(exchange(2, true) == exchange(1, false));
}

TEST_CASE("an effect's order within one target follows the source uid, then emission") {
  World world(WorldOptions{1, 2});
  Population& pop = world.add_population("p", {.agent_ledger = false});
  const Component<std::uint64_t> log = pop.add_component<std::uint64_t>("log");
  for (int i = 0; i < 5; ++i)
    pop.create();
  const AgentId target = pop.id_at(0);
  const Effect<std::uint64_t> note =
      world.add_effect<std::uint64_t>("note", pop, [log](Population& p, Row r, std::uint64_t v) {
        p.column(log)[r] = p.column(log)[r] * 100 + v;
      });
  world.add_system("send", "update", pop, [&](BlockContext& ctx, Row begin, Row end) {
    for (Row r = end; r-- > begin;) {  // emitted in reverse row order on purpose
      const Uid uid = ctx.population.uid_at(r);
      ctx.emit(note, r, target, uid * 10 + 1);
      ctx.emit(note, r, target, uid * 10 + 2);
    }
  });
  world.run_step();
  // uids 0..4, each sending x1 then x2: applied in uid order, emissions in order.
  std::uint64_t expect = 0;
  for (std::uint64_t uid = 0; uid < 5; ++uid)
    expect = (expect * 100 + uid * 10 + 1) * 100 + uid * 10 + 2;
  CHECK(pop.column(log)[0] == expect);
}

namespace {

struct WolfOutcome {
  std::map<Uid, Uid> eaten_by;  // sheep uid -> the wolf that won it
  std::size_t losers = 0;
  std::size_t sheep_left = 0;
};

// 40 wolves each claim one of 10 sheep; the winner eats it (the sheep dies at the phase end).
WolfOutcome wolves_hunt(std::size_t threads, ClaimRule rule) {
  World world(WorldOptions{77, threads});
  Population& wolves = world.add_population("wolves", {.agent_ledger = false});
  Population& sheep = world.add_population("sheep", {.agent_ledger = false});
  for (int i = 0; i < 40; ++i)
    wolves.create();
  for (int i = 0; i < 10; ++i)
    sheep.create();
  std::vector<AgentId> prey;
  for (Row r = 0; r < sheep.size(); ++r)
    prey.push_back(sheep.id_at(r));
  WolfOutcome out;
  const Claim<AgentId> eat =
      world.add_claims<AgentId>("eat", wolves, rule, [&](ClaimOutcome<AgentId>& o) {
        if (!o.won) {
          ++out.losers;
          return;
        }
        out.eaten_by[o.resource] = o.uid;
        o.world.defer_kill(sheep.index(), o.payload);
      });
  world.add_system("hunt", "update", wolves,
                   [&](BlockContext& ctx, Row begin, Row end) {
                     for (Row r = begin; r < end; ++r) {
                       const AgentId target = prey[r % prey.size()];
                       const Uid sheep_uid =
                           sheep.uid_at(sheep.row_of(target));  // reading another population
                       ctx.claim(eat, r, sheep_uid, target);
                     }
                   },
                   {.cost_ns = 50'000});  // 2 wolves a block: the claims come from many blocks
  world.run_step();
  out.sheep_left = sheep.size();
  return out;
}

}  // namespace

TEST_CASE("two wolves that try to eat the same sheep resolve the same way on 1, 2 and 3 threads") {
  for (const ClaimRule rule : {ClaimRule::random, ClaimRule::lowest_uid}) {
    const WolfOutcome one = wolves_hunt(1, rule);
    CHECK(one.eaten_by.size() == 10);  // every sheep eaten exactly once
    CHECK(one.losers == 30);           // and every other wolf told it lost
    CHECK(one.sheep_left == 0);
    const WolfOutcome two = wolves_hunt(2, rule);
    const WolfOutcome three = wolves_hunt(3, rule);
    CHECK(two.eaten_by == one.eaten_by);
    CHECK(three.eaten_by == one.eaten_by);
  }
  // lowest_uid: wolves 0..9 claim sheep 40..49 first.
  const WolfOutcome oldest = wolves_hunt(2, ClaimRule::lowest_uid);
  for (Uid s = 40; s < 50; ++s)
    CHECK(oldest.eaten_by.at(s) == s - 40);
  // random: the winners are not simply the oldest wolves.
  const WolfOutcome fair = wolves_hunt(2, ClaimRule::random);
  std::size_t oldest_won = 0;
  for (const auto& [s, w] : fair.eaten_by)
    oldest_won += w < 10 ? 1 : 0;
  CHECK(oldest_won < 10);
}

namespace {

std::vector<Uid> newborn_uids(std::size_t threads, bool shuffle) {
  World world(WorldOptions{3, threads});
  Population& pop = world.add_population("p", {.agent_ledger = false});
  const Component<Uid> parent = pop.add_component<Uid>("parent");
  for (int i = 0; i < 5000; ++i)
    pop.create();
  if (shuffle) {
    std::vector<Row> order(pop.size());
    std::iota(order.rbegin(), order.rend(), Row{0});  // reversed
    pop.permute(order);
  }
  world.add_system(
      "breed", "update", pop,
      [&](BlockContext& ctx, Row begin, Row end) {
        for (Row r = begin; r < end; ++r) {
          const Uid uid = ctx.population.uid_at(r);
          if (ctx.rng(uid, 0).bernoulli(0.3))
            ctx.spawn(ctx.population.index(), r,
                      [parent, uid](Population& p, Row child) { p.column(parent)[child] = uid; });
        }
      },
      {.cost_ns = 1000});
  world.run_step();
  // (child uid, parent uid) pairs in uid order, independent of rows.
  std::vector<std::pair<Uid, Uid>> pairs;
  for (Row r = 0; r < pop.size(); ++r)
    if (pop.uid_at(r) >= 5000) pairs.emplace_back(pop.uid_at(r), pop.column(parent)[r]);
  std::sort(pairs.begin(), pairs.end());
  std::vector<Uid> flat;
  for (const auto& [c, p] : pairs) {
    flat.push_back(c);
    flat.push_back(p);
  }
  return flat;
}

}  // namespace

TEST_CASE("newborns get uids in (parent uid, emission) order on any threads and rows") {
  const std::vector<Uid> one = newborn_uids(1, false);
  REQUIRE(one.size() > 2000);
  for (std::size_t i = 3; i < one.size(); i += 2)
    CHECK(one[i] > one[i - 2]);  // parents ascending as child uids ascend
  CHECK(newborn_uids(2, false) == one);
  CHECK(newborn_uids(3, true) == one);
}

namespace {

std::vector<Uid> activation(std::size_t threads, bool shuffle, int step, int agents = 1000) {
  World world(WorldOptions{9, threads});
  world.set_step(static_cast<std::uint64_t>(step));
  Population& pop = world.add_population("p", {.agent_ledger = false});
  for (int i = 0; i < agents; ++i)
    pop.create();
  if (shuffle) {
    std::vector<Row> order(pop.size());
    std::iota(order.rbegin(), order.rend(), Row{0});
    pop.permute(order);
  }
  std::vector<Uid> seen;
  world.add_system("visit", "update", pop,
                   [&](BlockContext& ctx, Row begin, Row end) {
                     for (const Row r : ctx.rows(begin, end))
                       seen.push_back(ctx.population.uid_at(r));
                   },
                   {.schedule = Schedule::random});
  world.run_step();
  return seen;
}

}  // namespace

TEST_CASE("random activation visits every agent once, in a fresh order each step") {
  const std::vector<Uid> a = activation(1, false, 0);
  REQUIRE(a.size() == 1000);
  std::vector<Uid> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (Uid u = 0; u < 1000; ++u)
    CHECK(sorted[u] == u);              // a permutation
  CHECK(a != sorted);                   // not the row order
  CHECK(activation(3, false, 0) == a);  // thread-independent
  CHECK(activation(2, true, 0) == a);   // row-independent
  CHECK(activation(1, false, 1) != a);  // fresh each step
}

TEST_CASE(
    "random activation of a large population (the radix-sorted path) is the same kind of order") {
  const std::vector<Uid> a = activation(1, false, 0, 20000);
  std::vector<Uid> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (Uid u = 0; u < 20000; ++u)
    REQUIRE(sorted[u] == u);
  CHECK(a != sorted);
  CHECK(activation(2, true, 0, 20000) == a);  // row- and thread-independent
  CHECK(activation(1, false, 1, 20000) != a);
  // The order of the first 1000 uids among 20000 is theirs in the 1000-agent population: both
  // sizes sort the same per-uid keys.
  std::vector<Uid> first;
  for (const Uid u : a)
    if (u < 1000) first.push_back(u);
  CHECK(first == activation(1, false, 0));
}

TEST_CASE("random activation lets each agent see the changes of those before it") {
  World world(WorldOptions{2, 2});
  Population& pop = world.add_population("p", {.agent_ledger = false});
  const Component<int> seen = pop.add_component<int>("seen");
  for (int i = 0; i < 100; ++i)
    pop.create();
  int counter = 0;  // shared state written by every agent in turn
  world.add_system("count", "update", pop,
                   [&](BlockContext& ctx, Row begin, Row end) {
                     for (const Row r : ctx.rows(begin, end))
                       ctx.population.column(seen)[r] = counter++;
                   },
                   {.schedule = Schedule::random});
  world.run_step();
  std::vector<int> values(pop.column(seen).begin(), pop.column(seen).end());
  std::sort(values.begin(), values.end());
  for (int i = 0; i < 100; ++i)
    CHECK(values[i] == i);
}

TEST_CASE("a simultaneous system reads everyone's state from before it started") {
  for (const std::size_t threads : {1u, 3u}) {
    World world(WorldOptions{2, threads});
    Population& pop = world.add_population("p", {.agent_ledger = false});
    const Component<double> x = pop.add_component<double>("x");
    for (int i = 0; i < 10000; ++i) {
      const Row row = pop.row_of(pop.create());  // may move the column: index after
      pop.column(x)[row] = i;
    }
    // Each agent becomes the mean of itself and its right neighbour, as they were.
    world.add_system("smooth", "update", pop,
                     [&](BlockContext& ctx, Row begin, Row end) {
                       const auto before = ctx.before(x);
                       auto now = ctx.population.column(x);
                       for (Row r = begin; r < end; ++r)
                         now[r] = 0.5 * (before[r] + before[(r + 1) % before.size()]);
                     },
                     {.schedule = Schedule::simultaneous, .cost_ns = 500});
    world.run_step();
    const auto v = pop.column(x);
    CHECK(v[0] == 0.5);
    CHECK(v[4242] == 4242.5);
    CHECK(v[9999] == 0.5 * 9999);
  }
}

TEST_CASE("block size follows the declared cost, never the thread count") {
  CHECK(block_rows_for(0) == kBlockRows);
  CHECK(block_rows_for(10) == 4096);    // 100 us / 10 ns = 10000 rows, capped at 4096
  CHECK(block_rows_for(100) == 512);    // 1000 rows -> the power of two below
  CHECK(block_rows_for(30'000) == 64);  // heavy agents: the floor
}

TEST_CASE("run_tasks runs every task exactly once on the given threads") {
  for (const std::size_t threads : {1u, 2u, 3u}) {
    World world(WorldOptions{1, threads});
    std::vector<int> hits(1001, 0);
    world.run_tasks(hits.size(), [&](std::size_t task, std::size_t thread) {
      CHECK(thread < threads);
      ++hits[task];
    });
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
}

TEST_CASE("a row accumulator gives bit-identical sums on any thread count") {
  // Pair "forces" with Newton's third law between each row and 8 pseudo-random partners.
  auto forces = [](std::size_t threads) {
    World world(WorldOptions{1, threads});
    constexpr std::size_t n = 20000;
    constexpr Row block = 512;
    const std::size_t blocks = (n + block - 1) / block;
    RowAccumulator<double> acc;
    acc.reset(n, block, blocks);
    world.run_tasks(blocks, [&](std::size_t b, std::size_t) {
      for (Row i = static_cast<Row>(b * block); i < std::min<std::size_t>(n, (b + 1) * block); ++i)
        for (std::uint64_t k = 1; k <= 8; ++k) {
          const auto j = static_cast<Row>((i * 2654435761ull + k * 40503ull) % n);
          const double f = 1.0 / (1.0 + static_cast<double>(i) * 0.37 + static_cast<double>(j));
          acc.add(b, i, f);
          acc.add(b, j, -f);
        }
    });
    CHECK(acc.spilled() > 0);
    acc.finish();
    return std::vector<double>(acc.values().begin(), acc.values().end());
  };
  const auto one = forces(1);
  CHECK(forces(2) == one);
  CHECK(forces(3) == one);
  double total = 0;
  for (double f : one)
    total += f;
  CHECK(std::abs(total) < 1e-9);  // equal and opposite
}

TEST_CASE("an agent draws the same random numbers whatever row it sits in") {
  auto draws = [](bool reversed) {
    World world(WorldOptions{21, 2});
    Population& pop = world.add_population("p", {.agent_ledger = false});
    const Component<double> u = pop.add_component<double>("u");
    for (int i = 0; i < 9000; ++i)
      pop.create();
    if (reversed) {
      std::vector<Row> order(pop.size());
      std::iota(order.rbegin(), order.rend(), Row{0});
      pop.permute(order);
    }
    world.add_system("draw", "update", pop, [u](BlockContext& ctx, Row begin, Row end) {
      for (Row r = begin; r < end; ++r)
        ctx.population.column(u)[r] = ctx.rng(ctx.population.uid_at(r), 3).uniform();
    });
    world.run_step();
    std::map<Uid, double> by_uid;
    for (Row r = 0; r < pop.size(); ++r)
      by_uid[pop.uid_at(r)] = pop.column(u)[r];
    return by_uid;
  };
  const auto plain = draws(false);
  CHECK(draws(true) == plain);
  CHECK(plain.at(0) != plain.at(1));
}
