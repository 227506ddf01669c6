// The population as the one row authority: uids, permutation, sorting, hooks and row stores all
// stay in step through every swap-remove and reorder.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "cohort/engine/population.hpp"

using namespace cohort::engine;

namespace {

// A model-private store: one value per row, kept in step only through the RowStore calls.
class ShadowStore final : public RowStore {
 public:
  std::vector<Uid> values;
  const Population* pop = nullptr;
  void append_row(Row row) override {
    REQUIRE(row == values.size());
    values.push_back(pop->uid_at(row));
  }
  void swap_remove_row(Row row, Row last) override {
    values[row] = values[last];
    values.pop_back();
  }
  void permute_rows(std::span<const Row> order) override {
    std::vector<Uid> next(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      next[i] = values[order[i]];
    values.swap(next);
  }
};

struct Agent {  // what the reference model remembers of each live agent
  AgentId id;
  float x;
  std::uint32_t bytes;  // charged to its ledger
};

}  // namespace

TEST_CASE("uids are unique across populations and never reused") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population a("a", 0, acc, uids, {});
  Population b("b", 1, acc, uids, {});
  const AgentId a0 = a.create();
  const AgentId b0 = b.create();
  const AgentId a1 = a.create();
  CHECK(a.uid_at(a.row_of(a0)) == 0);
  CHECK(b.uid_at(b.row_of(b0)) == 1);
  CHECK(a.uid_at(a.row_of(a1)) == 2);
  a.destroy(a0);
  const AgentId a2 = a.create();
  CHECK(a2.index() == a0.index());     // the handle slot is reused ...
  CHECK(a.uid_at(a.row_of(a2)) == 3);  // ... the uid never is
  CHECK(a.uid_at(a.row_of(a1)) == 2);  // and moved with its agent to row 0
  CHECK(a.row_of(a1) == 0);
}

TEST_CASE("every store follows 100k random creates, destroys and permutations") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  const auto tag = acc.tags().intern("data");
  Population pop("p", 0, acc, uids, {});
  ShadowStore shadow;
  shadow.pop = &pop;
  pop.attach(shadow);
  const Component<float> x = pop.add_component<float>("x");
  const Component<Uid> echo = pop.add_component<Uid>("echo");
  std::map<Uid, Agent> reference;
  std::mt19937_64 rng(11);
  cohort::memory::ChargeContext& ctx = acc.context();
  for (int op = 0; op < 100000; ++op) {
    const auto roll = rng() % 100;
    if (pop.size() == 0 || roll < 50) {
      const AgentId id = pop.create();
      const Row row = pop.row_of(id);
      REQUIRE(row == pop.size() - 1);  // a birth's row is the new last one
      const Uid uid = pop.uid_at(row);
      const auto bytes = static_cast<std::uint32_t>(1 + rng() % 64);
      REQUIRE(ctx.charge(pop.account(), row, tag, bytes, bytes) ==
              cohort::memory::ChargeStatus::ok);
      pop.column(x)[row] = static_cast<float>(uid);
      pop.column(echo)[row] = uid;
      reference[uid] = {id, static_cast<float>(uid), bytes};
    } else if (roll < 95) {
      const Row row = static_cast<Row>(rng() % pop.size());
      const Uid uid = pop.uid_at(row);
      ctx.release(pop.account(), row, tag, reference[uid].bytes, reference[uid].bytes);
      if (roll < 72) {
        REQUIRE(pop.destroy(reference[uid].id));
      } else {  // by row, as loops that hold rows do
        pop.destroy_at(row);
        REQUIRE_FALSE(pop.alive(reference[uid].id));
      }
      reference.erase(uid);
    } else {
      std::vector<Row> order(pop.size());
      std::iota(order.begin(), order.end(), Row{0});
      std::shuffle(order.begin(), order.end(), rng);
      pop.permute(order);
    }
  }
  REQUIRE(pop.size() == reference.size());
  REQUIRE(shadow.values.size() == pop.size());
  const auto& ledger = pop.account().ledger();
  for (Row r = 0; r < pop.size(); ++r) {
    const Uid uid = pop.uid_at(r);
    const Agent& a = reference.at(uid);
    REQUIRE(pop.row_of(a.id) == r);
    REQUIRE(pop.id_at(r) == a.id);
    REQUIRE(pop.column(x)[r] == a.x);
    REQUIRE(pop.column(echo)[r] == uid);
    REQUIRE(shadow.values[r] == uid);
    REQUIRE(ledger.used(r) == a.bytes);
  }
}

TEST_CASE("a permutation must name every row once") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  for (int i = 0; i < 3; ++i)
    pop.create();
  CHECK_THROWS_AS(pop.permute(std::vector<Row>{0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(pop.permute(std::vector<Row>{0, 1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(pop.permute(std::vector<Row>{0, 1, 3}), std::invalid_argument);
  CHECK(pop.uid_at(0) == 0);  // a refused permutation changed nothing
}

TEST_CASE("a permutation that names a row twice moves no row") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  std::vector<AgentId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(pop.create());
  // Rows 4, 3, 2 and 1 are valid and gathered before the repeated 4 is found.
  CHECK_THROWS_WITH_AS(pop.permute(std::vector<Row>{4, 3, 2, 1, 4}),
                       "permutation of population 'p' names row 4 twice or out of range",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(pop.permute(std::vector<Row>{4, 3, 2, 1, 9}),
                       "permutation of population 'p' names row 9 twice or out of range",
                       std::invalid_argument);
  for (Row r = 0; r < 5; ++r) {
    CHECK(pop.id_at(r) == ids[r]);
    CHECK(pop.row_of(ids[r]) == r);
    CHECK(pop.uid_at(r) == r);
  }
}

TEST_CASE("ledger rows follow a permutation when only a flag is set") {
  // A refused charge flags its row without charging it: the only non-zero ledger byte is a flag.
  cohort::memory::Accountant acc;
  UidCounter uids;
  const auto tag = acc.tags().intern("data");
  Population pop("p", 0, acc, uids, {.budget = cohort::memory::BudgetLimits::from_hard(16)});
  for (int i = 0; i < 3; ++i)
    pop.create();
  cohort::memory::ChargeContext& ctx = acc.context();
  REQUIRE(ctx.charge(pop.account(), 2, tag, 64, 64) == cohort::memory::ChargeStatus::refused);
  const auto& ledger = pop.account().ledger();
  REQUIRE(ledger.flags(2) == cohort::memory::AgentLedger::kRefused);
  REQUIRE(ledger.used(2) == 0);
  pop.permute(std::vector<Row>{2, 0, 1});
  CHECK(pop.uid_at(0) == 2);
  CHECK(ledger.flags(0) == cohort::memory::AgentLedger::kRefused);
  CHECK(ledger.flags(1) == 0);
  CHECK(ledger.flags(2) == 0);
}

TEST_CASE("after permutations the scratch and column charges are the bytes allocated") {
  // 1000 agents grown one at a time: uid and ledger columns hold 1024 rows, the scratch 1000, and
  // the word-wide swaps move those capacities around; their sum must stay what exists.
  cohort::memory::Accountant acc;
  UidCounter uids;
  const auto tag = acc.tags().intern("data");
  Population pop("p", 0, acc, uids, {});
  pop.add_component<float>("x");
  pop.add_component<float>("y");
  pop.add_component<float>("z");
  for (int i = 0; i < 1000; ++i)
    pop.create();
  for (Row r = 0; r < 1000; ++r)  // a charged ledger moves its words (and swaps them)
    REQUIRE(acc.context().charge(pop.account(), r, tag, 8, 8) == cohort::memory::ChargeStatus::ok);
  const auto charged = [&](cohort::memory::TagId t) {
    acc.settle();
    return pop.account().counters(cohort::memory::Scope::population, t);
  };
  const std::size_t storage_before = pop.storage_bytes();
  std::vector<Row> order(1000);
  std::iota(order.begin(), order.end(), Row{0});
  std::mt19937 rng(3);
  bool moved = false;
  for (int round = 0; round < 3; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    pop.permute(order);
    const auto scratch = charged(cohort::memory::TagRegistry::kScratch);
    const auto columns = charged(cohort::memory::TagRegistry::kComponents);
    CHECK(columns.used == pop.storage_bytes());
    CHECK(scratch.used == scratch.held);
    CHECK(scratch.used >= 1000 * 8);
    CHECK(scratch.used + columns.used == storage_before + 1000 * 8);
    moved |= pop.storage_bytes() != storage_before;
  }
  CHECK(moved);  // the exactly-sized scratch went to a column at least once
}

TEST_CASE("a released permutation scratch is uncharged, and the next permutation takes it") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  const auto x = pop.add_component<float>("x");
  for (int i = 0; i < 1000; ++i) {
    const Row r = pop.row_of(pop.create());  // before column(): a birth may move the column
    pop.column(x)[r] = static_cast<float>(i);
  }
  const auto scratch = [&] {
    acc.settle();
    return pop.account().counters(cohort::memory::Scope::population,
                                  cohort::memory::TagRegistry::kScratch);
  };
  std::vector<Row> reversed(1000);
  for (Row r = 0; r < 1000; ++r)
    reversed[r] = 999 - r;
  pop.permute(reversed);
  REQUIRE(scratch().held >= 1000 * 8);
  const std::size_t columns = pop.storage_bytes();
  pop.release_permute_scratch();
  CHECK(scratch().used == 0);
  CHECK(scratch().held == 0);
  CHECK(pop.storage_bytes() == columns);  // only the scratch went
  pop.permute(reversed);                  // back to the start, through a fresh scratch
  for (Row r = 0; r < 1000; ++r) {
    CHECK(pop.uid_at(r) == r);
    CHECK(pop.column(x)[r] == static_cast<float>(r));
  }
  CHECK(scratch().held >= 1000 * 8);
}

TEST_CASE("columns of every width follow a permutation, with a scratch wider than a word") {
  struct Wide {
    std::uint32_t a, b, c;  // 12 bytes: the scratch holds more than a word per row
  };
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  const Component<Wide> wide = pop.add_component<Wide>("wide");
  const Component<std::uint16_t> s1 = pop.add_component<std::uint16_t>("s1");
  const Component<std::uint8_t> b1 = pop.add_component<std::uint8_t>("b1");
  const Component<std::uint16_t> s2 = pop.add_component<std::uint16_t>("s2");
  const Component<std::uint16_t> s3 = pop.add_component<std::uint16_t>("s3");  // has no partner
  const Component<double> d = pop.add_component<double>("d");
  constexpr Row kRows = 777;
  for (Row r = 0; r < kRows; ++r) {
    pop.create();
    pop.column(wide)[r] = {r, r + 1, r + 2};
    pop.column(s1)[r] = static_cast<std::uint16_t>(r);
    pop.column(b1)[r] = static_cast<std::uint8_t>(r);
    pop.column(s2)[r] = static_cast<std::uint16_t>(r + 3);
    pop.column(s3)[r] = static_cast<std::uint16_t>(r + 5);
    pop.column(d)[r] = r * 0.5;
  }
  std::vector<Row> order(kRows);
  std::iota(order.begin(), order.end(), Row{0});
  std::shuffle(order.begin(), order.end(), std::mt19937(9));
  pop.permute(order);
  for (Row r = 0; r < kRows; ++r) {
    const Row was = order[r];
    REQUIRE(pop.uid_at(r) == was);
    REQUIRE(pop.row_of(pop.id_at(r)) == r);
    REQUIRE(pop.column(wide)[r].a == was);
    REQUIRE(pop.column(wide)[r].c == was + 2);
    REQUIRE(pop.column(s1)[r] == static_cast<std::uint16_t>(was));
    REQUIRE(pop.column(b1)[r] == static_cast<std::uint8_t>(was));
    REQUIRE(pop.column(s2)[r] == static_cast<std::uint16_t>(was + 3));
    REQUIRE(pop.column(s3)[r] == static_cast<std::uint16_t>(was + 5));
    REQUIRE(pop.column(d)[r] == was * 0.5);
  }
}

TEST_CASE("sort_by a cell key is a stable counting sort of the rows") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  const Component<std::uint32_t> cell = pop.add_component<std::uint32_t>("cell");
  const std::vector<std::uint32_t> cells{3, 1, 3, 0, 1, 2};
  for (std::uint32_t c : cells) {
    const Row row = pop.row_of(pop.create());  // creating may move the column: index after
    pop.column(cell)[row] = c;
  }
  const std::vector<std::uint32_t> keys(pop.column(cell).begin(), pop.column(cell).end());
  pop.sort_by(keys, 4);
  const std::vector<Uid> sorted(pop.uids().begin(), pop.uids().end());
  CHECK(sorted == std::vector<Uid>{3, 1, 4, 5, 0, 2});  // by cell, ties in row order
  CHECK(std::is_sorted(pop.column(cell).begin(), pop.column(cell).end()));
  CHECK_THROWS_AS(pop.sort_by(std::vector<std::uint32_t>(6, 9), 4), std::invalid_argument);
}

TEST_CASE("creation and destruction hooks see the agent in its row") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  const Component<int> v = pop.add_component<int>("v");
  std::vector<Uid> created, destroyed;
  std::vector<int> destroyed_values;
  pop.on_create([&](Population& p, Row r) { created.push_back(p.uid_at(r)); });
  pop.on_destroy([&](Population& p, Row r) {
    destroyed.push_back(p.uid_at(r));
    destroyed_values.push_back(p.column(v)[r]);
  });
  const AgentId a = pop.create();
  const AgentId b = pop.create();
  pop.column(v)[pop.row_of(a)] = 10;
  pop.column(v)[pop.row_of(b)] = 20;
  pop.destroy(a);
  CHECK(created == std::vector<Uid>{0, 1});
  CHECK(destroyed == std::vector<Uid>{0});
  CHECK(destroyed_values == std::vector<int>{10});
}

TEST_CASE("a population without a ledger refuses per-agent charges with a typed status") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  const auto tag = acc.tags().intern("data");
  Population pop("plain", 0, acc, uids, {.agent_ledger = false});
  const Row row = pop.row_of(pop.create());
  cohort::memory::ChargeContext& ctx = acc.context();
  const auto r = ctx.allocate(pop.account(), row, tag, 32);
  CHECK(r.status == cohort::memory::ChargeStatus::no_agent_ledger);
  CHECK(r.ptr == nullptr);
  CHECK(ctx.charge(pop.account(), row, tag, 8, 8) == cohort::memory::ChargeStatus::no_agent_ledger);
  CHECK_THROWS_AS(ctx.slot(pop.account(), tag, 32), std::logic_error);
  void* shared = ctx.allocate_shared(pop.account(), tag, 64);  // shared data still works
  CHECK(shared != nullptr);
  ctx.deallocate_shared(pop.account(), tag, shared, 64);
}

TEST_CASE("a population budget refuses births beyond its hard limit and counts them") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  // 8 bytes of component + 29 of overhead = 37 bytes an agent: 10 agents fit in 370 bytes.
  Population pop("sheep", 0, acc, uids,
                 {.population_budget = cohort::memory::PopulationLimits::from_hard(370)});
  pop.add_component<double>("energy");
  AgentId id;
  for (int i = 0; i < 10; ++i)
    REQUIRE(pop.try_create(id) == BirthStatus::ok);
  CHECK(pop.budget_bytes() == 370);
  CHECK(pop.try_create(id) == BirthStatus::refused);
  CHECK(id.is_null());
  CHECK(pop.refused_births() == 1);
  CHECK(pop.size() == 10);
  try {
    pop.create();
    FAIL("create() past the population budget must throw");
  } catch (const cohort::memory::BudgetExceeded& e) {
    const std::string message = e.what();
    CHECK(message.find("sheep") != std::string::npos);
    CHECK(message.find("births") != std::string::npos);
    CHECK(e.refusal().requested == 37);
    CHECK(e.refusal().in_use == 370);
    CHECK(e.refusal().limit == 370);
  }
  CHECK(pop.refused_births() == 2);
}
