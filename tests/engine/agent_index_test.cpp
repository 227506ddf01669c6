// Agent ids: creation, stale detection, swap-remove, LIFO reuse, retirement.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "cohort/engine/agent_index.hpp"

using namespace cohort::engine;

TEST_CASE("ids pack a 32-bit index and a 32-bit generation") {
  const AgentId id(4'000'000'000u, 70'000);
  CHECK(id.index() == 4'000'000'000u);
  CHECK(id.generation() == 70'000);
  CHECK(AgentId::from_bits(id.bits()) == id);
  CHECK(AgentId::null().is_null());
  CHECK_FALSE(id.is_null());
  static_assert(sizeof(AgentId) == 8);
}

TEST_CASE("a population index is not capped at 2^24 agents") {
  AgentIndex index;
  constexpr std::uint32_t n = (1u << 24) + 3;
  index.reserve(n);
  AgentId last;
  for (std::uint32_t i = 0; i < n; ++i)
    last = index.create();
  CHECK(last.index() == n - 1);
  CHECK(index.row_of(last) == n - 1);
  CHECK(index.size() == n);
}

TEST_CASE("destroying swaps the last row in and the moved agent keeps its id") {
  AgentIndex index;
  const AgentId a = index.create();
  const AgentId b = index.create();
  const AgentId c = index.create();
  CHECK(index.row_of(a) == 0);
  CHECK(index.row_of(c) == 2);
  CHECK(index.destroy(a) == 0);
  CHECK(index.size() == 2);
  CHECK(index.row_of(c) == 0);  // moved into the hole
  CHECK(index.id_at(0) == c);
  CHECK(index.row_of(b) == 1);
  CHECK_FALSE(index.alive(a));
  CHECK(index.row_of(a) == AgentIndex::kNoRow);
}

TEST_CASE("a stale id is detected, never resolved to the agent that reuses its index") {
  AgentIndex index;
  const AgentId a = index.create();
  index.destroy(a);
  const AgentId reborn = index.create();
  CHECK(reborn.index() == a.index());
  CHECK(reborn.generation() == a.generation() + 1);
  CHECK_FALSE(index.alive(a));
  CHECK(index.alive(reborn));
  CHECK(index.row_of(AgentId(999, 0)) == AgentIndex::kNoRow);  // never created
}

TEST_CASE("a free slot's next generation does not resolve, though its free link is a live row") {
  AgentIndex index;
  for (int i = 0; i < 10; ++i)
    index.create();
  index.destroy(AgentId(2, 0));  // row 9 (slot 9) moves to row 2
  index.destroy(AgentId(7, 0));  // row 8 (slot 8) moves to row 7; the free list is 7 -> 2
  // Slot 7 holds (generation 1, next free 2), and 2 is a live row: the row's slot must match too.
  CHECK(index.row_of(AgentId(7, 1)) == AgentIndex::kNoRow);
  CHECK(index.row_of(AgentId(2, 1)) == AgentIndex::kNoRow);
  CHECK(index.row_of(AgentId(9, 0)) == 2);
  CHECK(index.row_of(AgentId(8, 0)) == 7);
  const AgentId reborn = index.create();
  CHECK(reborn == AgentId(7, 1));
  CHECK(index.row_of(reborn) == 8);
  CHECK(index.id_at(8) == reborn);
}

TEST_CASE("freed indices are reused last in, first out") {
  AgentIndex index;
  std::vector<AgentId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(index.create());
  CHECK_FALSE(index.has_room());  // no free slot: the next create() takes a fresh one
  index.destroy(ids[3]);
  CHECK(index.has_room());  // a free slot, and the rows' array has room for it
  index.destroy(ids[1]);
  index.destroy(ids[4]);
  // The state's free list runs from the newest free slot to the oldest (its tail).
  const AgentIndex::State state = index.state();
  CHECK(state.free_head == 4);
  CHECK(state.free_tail == 3);
  CHECK(index.create().index() == 4);
  CHECK(index.create().index() == 1);
  index.destroy(ids[0]);
  CHECK(index.create().index() == 0);  // the newest free slot first
  CHECK(index.create().index() == 3);
  CHECK(index.state().free_tail == AgentId::kNoIndex);
  CHECK(index.create().index() == 5);  // free list empty: a fresh index
}

TEST_CASE("an index whose generation runs out is retired, not wrapped") {
  // 2^32 reuses take minutes: start from a checkpointed state one reuse before the last.
  AgentIndex index;
  AgentIndex::State state{{0},  // slot 0: live at row 0
                          {AgentId(0, AgentId::kMaxGeneration - 1)},
                          AgentId::kNoIndex,
                          AgentId::kNoIndex,
                          0};
  index.restore(state);
  AgentId id = index.id_at(0);
  index.destroy(id);
  id = index.create();
  CHECK(id.index() == 0);
  CHECK(id.generation() == AgentId::kMaxGeneration);
  index.destroy(id);
  const AgentId fresh = index.create();
  CHECK(fresh.index() == 1);
  CHECK(index.retired() == 1);
  CHECK_FALSE(index.alive(AgentId(0, 0)));
}

TEST_CASE("random churn keeps ids, rows and liveness consistent with a reference model") {
  AgentIndex index;
  std::mt19937_64 rng(7);
  std::vector<AgentId> live;  // mirrors dense order
  std::set<std::uint32_t> ever;
  std::vector<AgentId> dead;
  for (int step = 0; step < 200000; ++step) {
    if (live.empty() || rng() % 100 < 55) {
      const AgentId id = index.create();
      REQUIRE(index.row_of(id) == live.size());
      live.push_back(id);
    } else {
      const std::size_t row = rng() % live.size();
      const AgentId id = live[row];
      REQUIRE(index.destroy(id) == row);
      live[row] = live.back();
      live.pop_back();
      dead.push_back(id);
    }
  }
  REQUIRE(index.size() == live.size());
  for (std::size_t row = 0; row < live.size(); ++row) {
    REQUIRE(index.id_at(static_cast<Row>(row)) == live[row]);
    REQUIRE(index.row_of(live[row]) == row);
  }
  for (const AgentId id : dead)
    REQUIRE_FALSE(index.alive(id));
  CHECK(index.capacity_bytes() >= 16 * live.size());
}

TEST_CASE("the index state round-trips and an inconsistent state is rejected") {
  AgentIndex index;
  for (int i = 0; i < 10; ++i)
    index.create();
  index.destroy(AgentId(4, 0));
  AgentIndex copy;
  copy.restore(index.state());
  CHECK(copy.create() == index.create());
  AgentIndex::State bad = index.state();
  bad.sparse[bad.dense[0].index()] = 5;
  CHECK_THROWS_AS(copy.restore(bad), std::invalid_argument);
}

TEST_CASE(
    "a restored free list must start at its head, end at its tail and visit each dead slot "
    "once") {
  AgentIndex index;
  for (int i = 0; i < 6; ++i)
    index.create();
  index.destroy(AgentId(1, 0));
  index.destroy(AgentId(3, 0));
  const AgentIndex::State good = index.state();
  AgentIndex copy;
  copy.restore(good);  // consistent

  AgentIndex::State wrong_tail = good;
  wrong_tail.free_tail = 2;  // a live slot
  CHECK_THROWS_AS(AgentIndex().restore(wrong_tail), std::invalid_argument);

  AgentIndex::State head_out_of_range = good;
  head_out_of_range.free_head = 1000;
  CHECK_THROWS_AS(AgentIndex().restore(head_out_of_range), std::invalid_argument);

  REQUIRE(good.free_head == 3);  // the newest free slot first: 3 -> 1
  REQUIRE(good.free_tail == 1);
  AgentIndex::State cycle = good;
  cycle.sparse[1] = (cycle.sparse[1] & ~std::uint64_t{0xffffffffu}) | 3;  // 3 -> 1 -> 3 ...
  CHECK_THROWS_AS(AgentIndex().restore(cycle), std::invalid_argument);

  AgentIndex::State lost_slot = good;
  lost_slot.free_head = 1;  // slot 3 is neither live, free nor retired
  CHECK_THROWS_AS(AgentIndex().restore(lost_slot), std::invalid_argument);
}

TEST_CASE("permuting the index moves every handle to its new row") {
  AgentIndex index;
  std::vector<AgentId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(index.create());
  index.destroy(ids[1]);
  ids[1] = index.create();  // generation 1 at row 4: a permutation keeps generations too
  REQUIRE(ids[1] == AgentId(1, 1));
  const std::vector<Row> order{4, 2, 0, 1, 3};
  std::vector<std::uint32_t> scratch(order.size());
  const std::vector<AgentId> before{ids[0], ids[4], ids[2], ids[3], ids[1]};  // by row
  index.permute(order, scratch.data());
  for (Row r = 0; r < 5; ++r) {
    CHECK(index.id_at(r) == before[order[r]]);
    CHECK(index.row_of(before[order[r]]) == r);
  }
  // The state written after a permutation restores the same mapping.
  AgentIndex copy;
  copy.restore(index.state());
  for (Row r = 0; r < 5; ++r)
    CHECK(copy.id_at(r) == index.id_at(r));
  CHECK(copy.create() == index.create());
}
