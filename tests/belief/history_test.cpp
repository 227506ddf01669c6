// The compressed ring-buffer history: round trips, compression targets, eviction order.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "belief_agents/history.hpp"
#include "cohort/memory/accountant.hpp"

using namespace cohort::models::belief;
namespace mem = cohort::memory;

namespace {

struct Fixture {
  mem::Accountant acc{mem::AccountantOptions{1}};
  mem::TagId tag = acc.tags().intern("history");
  mem::PopulationAccount& pop = acc.add_population("explorers", mem::BudgetLimits::unlimited());
  mem::AgentRow row = pop.add_agent();
  mem::ChargeContext& ctx = acc.context(0);
};

// An agent walking a square patrol of `period` cells: everything repeats with the period.
std::vector<HistoryEntry> patrol(std::size_t n, std::size_t period) {
  std::vector<HistoryEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = i % period;
    out.push_back({-1.25 + 0.01 * static_cast<double>(k), static_cast<std::uint32_t>(11 + k),
                   static_cast<std::uint8_t>(k * 4 / period), static_cast<std::uint8_t>(k % 4)});
  }
  return out;
}

std::vector<HistoryEntry> random_entries(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<HistoryEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    double v;
    const std::uint64_t bits = gen();
    std::memcpy(&v, &bits, 8);
    out.push_back({v, static_cast<std::uint32_t>(gen()), static_cast<std::uint8_t>(gen()),
                   static_cast<std::uint8_t>(gen())});
  }
  return out;
}

}  // namespace

TEST_CASE("history round trip keeps the newest entries, oldest blocks evicted first") {
  for (const Codec codec : {Codec::lz4, Codec::zstd}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      Fixture f;
      const HistoryOps ops{f.tag, codec, 16, 4};  // 4 sealed blocks of 16 + the open block
      std::mt19937_64 gen(seed);
      const std::size_t n = gen() % 150;
      const std::vector<HistoryEntry> in = seed % 2 ? random_entries(n, seed) : patrol(n, 1 + seed);
      HistoryRef h;
      for (const HistoryEntry& e : in)
        REQUIRE(ops.record(f.ctx, f.pop, f.row, h, e) == HistoryRecord::stored);
      std::vector<HistoryEntry> out;
      ops.read(h, out);
      // Sealing is lazy (a full open block seals on the next entry): at most 4 * 16 + 16 kept.
      const std::size_t kept = n == 0 ? 0 : std::min<std::size_t>(n, (n - 1) % 16 + 1 + 64);
      CAPTURE(n);
      REQUIRE(out.size() == kept);
      CHECK(std::equal(out.begin(), out.end(), in.end() - static_cast<long>(kept)));
      CHECK(ops.stats(h).bytes == f.pop.ledger().used(f.row));
      ops.release(f.ctx, f.pop, f.row, h);
      CHECK(f.pop.ledger().used(f.row) == 0);
    }
  }
}

TEST_CASE("evict_oldest drops whole blocks from the oldest end") {
  Fixture f;
  const HistoryOps ops{f.tag, Codec::lz4, 8, 8};
  HistoryRef h;
  const std::vector<HistoryEntry> in = random_entries(40, 9);
  for (const HistoryEntry& e : in)
    ops.record(f.ctx, f.pop, f.row, h, e);
  REQUIRE(h.sealed == 4);
  CHECK(ops.evict_oldest(f.ctx, f.pop, f.row, h) > 0);
  std::vector<HistoryEntry> out;
  ops.read(h, out);
  REQUIRE(out.size() == 32);
  CHECK(std::equal(out.begin(), out.end(), in.begin() + 8));
  ops.release(f.ctx, f.pop, f.row, h);
}

TEST_CASE("a patrol's history compresses at least 5x, random data grows at most 1%") {
  for (const Codec codec : {Codec::lz4, Codec::zstd}) {
    for (const std::size_t period : {4u, 8u, 12u, 20u}) {
      Fixture f;
      const HistoryOps ops{f.tag, codec, 128, 16};  // the default block size
      HistoryRef h;
      for (const HistoryEntry& e : patrol(128 * 10 + 1, period))
        ops.record(f.ctx, f.pop, f.row, h, e);
      const HistoryStats s = ops.stats(h);
      CAPTURE(period);
      MESSAGE("patrol period " << period << ": ratio "
                               << static_cast<double>(s.sealed_raw_bytes) /
                                      static_cast<double>(s.sealed_bytes));
      CHECK(static_cast<double>(s.sealed_raw_bytes) >= 5.0 * static_cast<double>(s.sealed_bytes));
      ops.release(f.ctx, f.pop, f.row, h);
    }
    Fixture f;
    const HistoryOps ops{f.tag, codec, 64, 16};
    HistoryRef h;
    for (const HistoryEntry& e : random_entries(64 * 10 + 1, 5))
      ops.record(f.ctx, f.pop, f.row, h, e);
    const HistoryStats s = ops.stats(h);
    CHECK(static_cast<double>(s.sealed_bytes) <= 1.01 * static_cast<double>(s.sealed_raw_bytes));
    ops.release(f.ctx, f.pop, f.row, h);
  }
}
