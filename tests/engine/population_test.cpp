// Populations: columns stay aligned with ids through creation, destruction and churn; every
// byte comes back.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "cohort/engine/population.hpp"
#include "cohort/memory/report.hpp"

using namespace cohort::engine;

struct Position {
  float x, y;
};

TEST_CASE("components follow their agent when rows move") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("walkers", 0, acc, uids, {});
  const Component<Position> pos = pop.add_component<Position>("position");
  const Component<std::uint32_t> tag = pop.add_component<std::uint32_t>("tag");
  std::vector<AgentId> ids;
  for (std::uint32_t i = 0; i < 100; ++i) {
    ids.push_back(pop.create());
    pop.column(pos)[i] = {float(i), -float(i)};
    pop.column(tag)[i] = i;
  }
  for (std::uint32_t i = 0; i < 100; i += 3)
    CHECK(pop.destroy(ids[i]));
  CHECK_FALSE(pop.destroy(ids[0]));  // already dead
  for (std::uint32_t i = 0; i < 100; ++i) {
    const Row row = pop.row_of(ids[i]);
    if (i % 3 == 0) {
      CHECK(row == AgentIndex::kNoRow);
      continue;
    }
    CHECK(pop.column(tag)[row] == i);
    CHECK(pop.column(pos)[row].x == float(i));
  }
  CHECK_THROWS_AS(pop.add_component<int>("late"), std::logic_error);
  const Component<double> wrong{pos.column};
  CHECK_THROWS_AS(pop.column(wrong), std::logic_error);
}

TEST_CASE("per-agent overhead beyond the payload is 20 bytes, 29 with a memory ledger") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population plain("plain", 0, acc, uids, {false, {}});
  plain.add_component<float>("x");
  plain.add_component<float>("y");
  plain.add_component<float>("z");
  CHECK(plain.component_bytes_per_agent() == 12);
  CHECK(plain.overhead_bytes_per_agent() == 20);  // handle index 12 + uid 8
  Population ledgered("ledgered", 1, acc, uids, {true, {}});
  CHECK(ledgered.overhead_bytes_per_agent() == 29);
}

TEST_CASE("column storage is charged to the population under tag components") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  pop.add_component<double>("v");
  for (int i = 0; i < 1000; ++i)
    pop.create();
  acc.settle();
  const auto& c = pop.account().counters(cohort::memory::Scope::population,
                                         cohort::memory::TagRegistry::kComponents);
  CHECK(c.used == pop.storage_bytes());
  CHECK(c.used >= 1000 * (8 + 20 + 9));
  CHECK(pop.account().fixed_bytes_per_agent() == 8 + 29);
}

TEST_CASE("the memory report tells column capacity beyond the live rows from the rows in use") {
  // Issue 14: 2M walkers reserved columns the run never touched, and coverage read 167.8% of RSS
  // growth because held counted that capacity as if it were resident.
  cohort::memory::Accountant acc;
  UidCounter uids;
  Population pop("p", 0, acc, uids, {});
  pop.add_component<double>("v");
  pop.reserve(100000);
  for (int i = 0; i < 1000; ++i)
    pop.create();
  Population plain("plain", 1, acc, uids, {false, {}});  // no ledger: the engine counts rows
  plain.add_component<double>("v");
  plain.reserve(5000);
  for (int i = 0; i < 100; ++i)
    plain.create();
  acc.settle();
  const auto report = cohort::memory::MemoryReport::build(acc);
  REQUIRE(report.populations.size() == 2);
  // 1000 live rows of 8 + 29 bytes; the rest of the reserved storage is capacity.
  CHECK(pop.storage_bytes() >= 100000 * (8 + 29));
  CHECK(report.populations[0].column_capacity_unused == pop.storage_bytes() - 1000 * (8 + 29));
  // Without a ledger: 8 + 20 bytes a row (no 9-byte ledger entry), 100 of them live.
  CHECK(report.populations[1].agents == 100);
  CHECK(report.populations[1].fixed_bytes_per_agent == 8 + 20);
  const std::uint64_t plain_unused = plain.storage_bytes() - 100 * (8 + 20);
  CHECK(report.populations[1].column_capacity_unused == plain_unused);
  CHECK(report.column_capacity_unused == pop.storage_bytes() - 1000 * (8 + 29) + plain_unused);
  const auto json = report.to_json();
  CHECK(json["totals"]["column_capacity_unused"] == report.column_capacity_unused);
  CHECK(json["populations"][0]["column_capacity_unused"] ==
        report.populations[0].column_capacity_unused);
  CHECK(json["process"].contains("resident_coverage"));
  if (report.process.rss > report.rss_at_start) {
    const double growth = static_cast<double>(report.process.rss - report.rss_at_start);
    CHECK(report.resident_coverage() ==
          doctest::Approx(
              static_cast<double>(report.accounted_held - report.column_capacity_unused) / growth));
  }
  CHECK(report.to_text().find("column capacity beyond live rows") != std::string::npos);
}

TEST_CASE("churn of a million agents with pooled data returns accounted bytes to baseline") {
  cohort::memory::Accountant acc;
  UidCounter uids;
  const auto history = acc.tags().intern("history");
  Population pop("churn", 0, acc, uids, {});
  const Component<void*> data = pop.add_component<void*>("data");
  const Component<std::uint32_t> size = pop.add_component<std::uint32_t>("size");
  pop.set_release([&](cohort::memory::ChargeContext& ctx, Row row) {
    ctx.deallocate(pop.account(), row, history, pop.column(data)[row], pop.column(size)[row]);
  });
  cohort::memory::ChargeContext& ctx = acc.context();
  auto spawn = [&](std::uint32_t bytes) {
    const AgentId id = pop.create();
    const Row row = pop.row_of(id);
    auto r = ctx.allocate(pop.account(), row, history, bytes);
    REQUIRE(r);
    pop.column(data)[row] = r.ptr;
    pop.column(size)[row] = bytes;
    return id;
  };
  // A million agents created with pooled data and destroyed in random order, three times over:
  // after each cycle the accounted total is back at its baseline, to the byte.
  std::mt19937_64 rng(3);
  std::vector<AgentId> ids;
  std::uint64_t baseline = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    for (std::uint32_t i = 0; i < 1000000; ++i)
      ids.push_back(spawn(static_cast<std::uint32_t>(16 + rng() % 200)));
    acc.settle();
    CHECK(pop.account().total(cohort::memory::Scope::agents).allocations ==
          std::uint64_t(cycle + 1) * 1000000);
    std::shuffle(ids.begin(), ids.end(), rng);
    for (AgentId id : ids)
      REQUIRE(pop.destroy(id));
    ids.clear();
    acc.settle();
    if (cycle == 0) baseline = acc.engine_total().used;
    CHECK(acc.engine_total().used == baseline);
    CHECK(pop.account().total(cohort::memory::Scope::agents).used == 0);
    CHECK(pop.account().total(cohort::memory::Scope::agents).held == 0);
  }
  CHECK(pop.account().orphaned_used() == 0);
  CHECK(baseline == pop.storage_bytes());  // only the retained column capacity remains
}
