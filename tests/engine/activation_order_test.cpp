// The activation order over rows: a Fisher-Yates shuffle of the rows, which follows the agents
// through deaths (swap-removes), births and permutations made during the pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "cohort/engine/activation_order.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/engine/random/philox_lanes.hpp"

using namespace cohort::engine;

namespace {

// A population of `agents` with an activation order attached before the first of them.
struct Ordered {
  explicit Ordered(int agents) {
    for (int i = 0; i < agents; ++i)
      pop.create();
  }
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop{"p", 0, acc, uids, {}};
  ActivationOrder order{acc, pop};
};

}  // namespace

TEST_CASE("the order is the shuffle of the rows a Fisher-Yates pass over the ids would give") {
  Ordered o(50);
  Population& pop = o.pop;
  ActivationOrder& order = o.order;
  pop.destroy(pop.id_at(7));  // rows no longer follow creation order
  RandomStream rng(5, 1, 2, 3);
  order.shuffle(rng);
  std::vector<AgentId> ids(pop.size());
  for (Row r = 0; r < pop.size(); ++r)
    ids[r] = pop.id_at(r);
  RandomStream same(5, 1, 2, 3);
  for (std::size_t i = ids.size(); i > 1; --i)
    std::swap(ids[i - 1], ids[same.below(static_cast<std::uint32_t>(i))]);
  REQUIRE(order.size() == 49);
  for (std::size_t i = 0; i < order.size(); ++i)
    CHECK(pop.id_at(order.at(i)) == ids[i]);
}

TEST_CASE("a pass visits each agent alive at its turn once, in order, and never a newborn") {
  Ordered o(200);
  Population& pop = o.pop;
  ActivationOrder& order = o.order;
  RandomStream rng(9, 1, 0, 0);
  order.shuffle(rng);
  std::vector<Uid> planned(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    planned[i] = pop.uid_at(order.at(i));
  const std::set<Uid> initial(planned.begin(), planned.end());
  std::mt19937 events(4);
  std::set<Uid> dead;
  std::vector<Uid> visited;
  std::size_t expected_visits = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Row row = order.at(i);
    if (dead.count(planned[i]) != 0) {
      CHECK(row == AgentIndex::kNoRow);
      continue;
    }
    REQUIRE(row != AgentIndex::kNoRow);
    REQUIRE(pop.uid_at(row) == planned[i]);
    visited.push_back(pop.uid_at(row));
    ++expected_visits;
    switch (events() % 4) {
      case 0: {  // kills some agent, possibly itself, possibly one visited already
        const auto victim = static_cast<Row>(events() % pop.size());
        dead.insert(pop.uid_at(victim));
        pop.destroy(pop.id_at(victim));
        break;
      }
      case 1:  // a birth, which must not be visited
        pop.create();
        break;
      case 2: {  // the rows are reordered mid-pass
        std::vector<Row> perm(pop.size());
        std::iota(perm.begin(), perm.end(), Row{0});
        std::shuffle(perm.begin(), perm.end(), events);
        pop.permute(perm);
        break;
      }
      default:
        break;
    }
  }
  CHECK(visited.size() == expected_visits);
  CHECK(dead.size() > 20);
  for (const Uid u : visited)
    CHECK(initial.count(u) == 1);
  std::vector<Uid> alive_order;
  for (const Uid u : planned)
    if (std::find(visited.begin(), visited.end(), u) != visited.end()) alive_order.push_back(u);
  CHECK(alive_order == visited);
}

TEST_CASE("the order charges 8 B a row to its population under scratch until it goes") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop{"p", 0, acc, uids, {}};
  const auto scratch = [&] {
    acc.settle();
    return pop.account().counters(cohort::memory::Scope::population,
                                  cohort::memory::TagRegistry::kScratch);
  };
  {
    ActivationOrder order(acc, pop);
    for (int i = 0; i < 300; ++i)
      pop.create();
    CHECK(scratch().used == 300 * 8);  // a function of the rows only: the same after a resume
    CHECK(scratch().held >= 300 * 8);
    RandomStream rng(1, 2, 3, 4);
    order.shuffle(rng);
    CHECK(scratch().used == 300 * 8);
    for (int i = 0; i < 100; ++i)
      pop.destroy(pop.id_at(0));
    CHECK(scratch().used == 200 * 8);
    // Held: the positions' capacity (16, doubled as rows come: 512) plus the order's (the 300
    // rows of the shuffle) or the rows, whichever is more; deaths and births within both
    // capacities move only the used figure, births beyond the order's move both.
    CHECK(scratch().held == (512 + 300) * 4);
    for (int i = 0; i < 150; ++i)
      pop.create();
    CHECK(scratch().used == 350 * 8);
    CHECK(scratch().held == (512 + 350) * 4);
    for (int i = 0; i < 100; ++i)
      pop.destroy(pop.id_at(0));
    CHECK(scratch().used == 250 * 8);
    CHECK(scratch().held == (512 + 300) * 4);
  }
  CHECK(scratch().used == 0);
  CHECK(scratch().held == 0);
}

TEST_CASE("a shuffle from a batched stream is the shuffle from the same RandomStream") {
  Ordered a(500), b(500);
  RandomStream plain(7, kPopulationUidBase | 1, 3, 2);
  BatchedStream batched({7, 3, 2}, kPopulationUidBase | 1);
  a.order.shuffle(plain);
  b.order.shuffle(batched);
  for (std::size_t i = 0; i < 500; ++i)
    REQUIRE(a.order.at(i) == b.order.at(i));
}
