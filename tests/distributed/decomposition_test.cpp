// The distributed layer against single-process references: recursive bisection, migration and
// ghost (halo) exchange, with ranks played by threads (thread_ranks.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <span>

#include "cohort/distributed/box_decomposition.hpp"
#include "cohort/distributed/halo_exchange.hpp"
#include "cohort/distributed/migration.hpp"
#include "cohort/engine/world.hpp"
#include "distributed/thread_ranks.hpp"

namespace {

using cohort::distributed::BoxDecomposition;
using Vec3 = cohort::space::Vec<3>;

const cohort::space::Box<3> kBox({12.0, 9.0, 7.5}, {true, true, false});

std::vector<Vec3> random_points(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<Vec3> p(n);
  for (Vec3& x : p)
    for (int a = 0; a < 3; ++a)
      x[a] = std::uniform_real_distribution<double>(0, kBox.length(a))(gen);
  return p;
}

}  // namespace

TEST_CASE("recursive bisection gives every rank its share and every point one owner") {
  const std::vector<Vec3> points = random_points(3001, 7);
  for (int ranks : {1, 2, 3, 5, 8}) {
    CAPTURE(ranks);
    const auto d = BoxDecomposition<3>::bisect(kBox, points, ranks);
    REQUIRE(d.ranks() == ranks);
    std::vector<std::size_t> count(static_cast<std::size_t>(ranks), 0);
    double volume = 0;
    for (int r = 0; r < ranks; ++r) {
      const auto& g = d.region(r);
      volume += (g.hi[0] - g.lo[0]) * (g.hi[1] - g.lo[1]) * (g.hi[2] - g.lo[2]);
    }
    CHECK(volume == doctest::Approx(kBox.volume()).epsilon(1e-12));  // the regions tile the box
    for (const Vec3& p : points) {
      const int owner = d.owner(p);
      const auto& g = d.region(owner);
      for (int a = 0; a < 3; ++a)
        CHECK((g.lo[a] <= p[a] && p[a] < g.hi[a]));
      ++count[static_cast<std::size_t>(owner)];
    }
    // Random coordinates never tie: each cut splits exactly, so shares differ by rounding only.
    const double share = 3001.0 / ranks;
    for (std::size_t c : count)
      CHECK(std::abs(static_cast<double>(c) - share) <= ranks);
  }
}

TEST_CASE("a rank is near a point exactly when some place in its region is within range") {
  const std::vector<Vec3> points = random_points(400, 3);
  const auto d = BoxDecomposition<3>::bisect(kBox, points, 6);
  const std::vector<Vec3> probes = random_points(60, 4);
  // Dense samples of the box, sorted by the region they fall in.
  std::vector<std::vector<Vec3>> samples(6);
  for (const Vec3& s : random_points(20000, 5))
    samples[static_cast<std::size_t>(d.owner(s))].push_back(s);
  for (const Vec3& p : probes) {
    std::vector<int> near;
    d.ranks_near(p, 1.5, -1, near);
    for (int r = 0; r < 6; ++r) {
      // Samples of region r within range must imply "near" (the converse holds up to the
      // sampling gap, checked with a margin).
      bool sample_within = false, sample_close = false;
      for (const Vec3& s : samples[static_cast<std::size_t>(r)]) {
        const double d2 = kBox.distance2(p, s);
        sample_within |= d2 <= 1.5 * 1.5;
        sample_close |= d2 <= 2.2 * 2.2;
      }
      const bool listed = std::find(near.begin(), near.end(), r) != near.end();
      CHECK(listed == d.near(p, 1.5, r));
      if (sample_within) CHECK(listed);
      if (listed) CHECK(sample_close);
    }
  }
}

TEST_CASE("migration and halo exchange on 1-4 ranks match the single-process neighbour sets") {
  const std::size_t n = 1500;
  const double range = 1.6;
  const std::vector<Vec3> start = random_points(n, 11);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    CAPTURE(ranks);
    const auto d = BoxDecomposition<3>::bisect(kBox, start, ranks);
    cohort::testing::ThreadRanks threads(ranks);
    std::vector<std::set<std::uint64_t>> owned(static_cast<std::size_t>(ranks));
    std::vector<int> failures(static_cast<std::size_t>(ranks), 0);
    threads.run([&](const cohort::engine::RankGroup& group) {
      cohort::engine::World world(cohort::engine::WorldOptions{1, 1});
      auto& pop = world.add_population("points");
      const auto x = pop.add_component<Vec3>("position");
      const auto tag = pop.add_component<std::uint64_t>("tag");
      cohort::distributed::HaloExchange<3> halo(pop, x);
      // Dealt round-robin, not by region: migration must sort it out.
      for (std::size_t i = static_cast<std::size_t>(group.rank()); i < n;
           i += static_cast<std::size_t>(ranks)) {
        const auto row = pop.row_of(pop.create_with_uid(i));
        pop.column(x)[row] = start[i];
        pop.column(tag)[row] = 1000 + i;
      }
      cohort::distributed::migrate<3>(pop, x, d, group);
      auto& mine = owned[static_cast<std::size_t>(group.rank())];
      int& bad = failures[static_cast<std::size_t>(group.rank())];
      for (std::uint32_t r = 0; r < pop.size(); ++r) {
        mine.insert(pop.uid_at(r));
        bad += d.owner(pop.column(x)[r]) != group.rank();
        bad += pop.column(tag)[r] != 1000 + pop.uid_at(r);  // components travel with the uid
        bad += pop.column(x)[r] != start[pop.uid_at(r)];
      }
      // Every point within range of an owned point is owned here or arrives as a ghost.
      auto ghosts = halo.rebuild(d, range, group);
      std::multiset<Vec3> here(ghosts.begin(), ghosts.end());
      for (const Vec3& p : pop.column(x))
        here.insert(p);
      for (const Vec3& p : pop.column(x))
        for (const Vec3& q : start)
          if (kBox.distance2(p, q) <= range * range) bad += here.count(q) == 0;
      // A re-sort of the rows, then a step: the ghosts follow the same agents.
      std::vector<std::uint32_t> order(pop.size());
      for (std::uint32_t r = 0; r < order.size(); ++r)
        order[r] = static_cast<std::uint32_t>(order.size() - 1 - r);
      pop.permute(order);
      for (Vec3& p : pop.column(x))
        p[2] += 0.125;
      std::vector<Vec3> moved = ghosts;
      halo.forward(moved, group);
      for (std::size_t g = 0; g < ghosts.size(); ++g)
        bad += moved[g] != Vec3{ghosts[g][0], ghosts[g][1], ghosts[g][2] + 0.125};
    });
    std::set<std::uint64_t> all;
    std::size_t total = 0;
    for (const auto& s : owned) {
      total += s.size();
      all.insert(s.begin(), s.end());
    }
    CHECK(total == n);  // nobody lost, nobody twice
    CHECK(all.size() == n);
    for (int f : failures)
      CHECK(f == 0);
  }
}

namespace {

// A pooled per-agent block behind a handle column, as models with variable data hold them.
struct Block {
  std::byte* data;
  std::uint32_t bytes;
};

std::uint32_t block_bytes(std::uint64_t uid) {
  return 16 + 8 * static_cast<std::uint32_t>(uid % 5);
}

std::byte block_byte(std::uint64_t uid, std::size_t k) {
  return static_cast<std::byte>((uid * 31 + k) & 0xff);
}

}  // namespace

TEST_CASE("agents migrate with their pooled data through the population's payload codec") {
  const std::size_t n = 400;
  const std::vector<Vec3> start = random_points(n, 5);
  std::uint64_t all_bytes = 0;
  for (std::size_t i = 0; i < n; ++i)
    all_bytes += block_bytes(i);
  for (int ranks : {1, 3}) {
    CAPTURE(ranks);
    const auto d = BoxDecomposition<3>::bisect(kBox, start, ranks);
    cohort::testing::ThreadRanks threads(ranks);
    std::vector<std::size_t> agents(static_cast<std::size_t>(ranks));
    std::vector<std::uint64_t> charged(static_cast<std::size_t>(ranks));
    std::vector<int> failures(static_cast<std::size_t>(ranks), 0);
    threads.run([&](const cohort::engine::RankGroup& group) {
      using cohort::engine::Population;
      using cohort::engine::Row;
      cohort::engine::World world(cohort::engine::WorldOptions{1, 1});
      Population& pop = world.add_population("carriers", {.agent_ledger = true});
      const auto x = pop.add_component<Vec3>("position");
      const auto block = pop.add_component<Block>("block", cohort::engine::ColumnKind::handle);
      const auto tag = world.accountant().tags().intern("test.block");
      cohort::memory::ChargeContext& ctx = world.accountant().context(0);
      const auto give = [&](Row r, std::uint32_t bytes) {
        const cohort::memory::AllocResult a = ctx.allocate(pop.account(), r, tag, bytes);
        REQUIRE(a);
        pop.column(block)[r] = {static_cast<std::byte*>(a.ptr), bytes};
      };
      pop.set_release([&](cohort::memory::ChargeContext& c, Row r) {
        const Block b = pop.column(block)[r];
        c.deallocate(pop.account(), r, tag, b.data, b.bytes);
      });
      pop.set_payload_codec({[&](const Population& p, Row r, std::vector<std::byte>& out) {
                               const Block b = p.column(block)[r];
                               out.insert(out.end(), b.data, b.data + b.bytes);
                             },
                             [&](Population&, Row r, std::span<const std::byte> in) {
                               give(r, static_cast<std::uint32_t>(in.size()));
                               std::copy(in.begin(), in.end(), pop.column(block)[r].data);
                             }});
      for (std::size_t i = static_cast<std::size_t>(group.rank()); i < n;
           i += static_cast<std::size_t>(ranks)) {
        const Row row = pop.row_of(pop.create_with_uid(i));
        pop.column(x)[row] = start[i];
        give(row, block_bytes(i));
        for (std::size_t k = 0; k < block_bytes(i); ++k)
          pop.column(block)[row].data[k] = block_byte(i, k);
      }
      cohort::distributed::migrate<3>(pop, x, d, group);
      world.accountant().settle();
      const auto me = static_cast<std::size_t>(group.rank());
      int& bad = failures[me];
      for (Row r = 0; r < pop.size(); ++r) {
        const std::uint64_t uid = pop.uid_at(r);
        const Block b = pop.column(block)[r];
        bad += d.owner(pop.column(x)[r]) != group.rank();
        bad += b.bytes != block_bytes(uid);
        for (std::size_t k = 0; k < b.bytes; ++k)
          bad += b.data[k] != block_byte(uid, k);
      }
      agents[me] = pop.size();
      charged[me] = pop.account().used(cohort::memory::Scope::agents);
      while (pop.size() > 0)
        pop.destroy(pop.id_at(0));
    });
    CHECK(std::accumulate(failures.begin(), failures.end(), 0) == 0);
    CHECK(std::accumulate(agents.begin(), agents.end(), std::size_t{0}) == n);
    // Every byte is charged once, on the rank that holds the agent now.
    CHECK(std::accumulate(charged.begin(), charged.end(), std::uint64_t{0}) == all_bytes);
  }
}

TEST_CASE("agents with pooled data and no payload codec are refused migration") {
  cohort::engine::World world(cohort::engine::WorldOptions{1, 1});
  auto& pop = world.add_population("carriers", {.agent_ledger = true});
  const auto x = pop.add_component<Vec3>("position");
  const auto tag = world.accountant().tags().intern("test.block");
  const auto row = pop.row_of(pop.create());
  void* p = world.accountant().context(0).allocate(pop.account(), row, tag, 32).ptr;
  world.accountant().settle();
  const std::vector<Vec3> two_points = {Vec3{1, 1, 1}, Vec3{8, 8, 5}};
  const auto d = BoxDecomposition<3>::bisect(kBox, two_points, 2);
  struct TwoRanks final : cohort::engine::RankGroup {
    int rank() const override { return 0; }
    int size() const override { return 2; }
    cohort::engine::RankMessages all_gather(std::span<const std::byte>) const override {
      return {};
    }
    cohort::engine::RankMessages exchange(const cohort::engine::RankMessages& out) const override {
      return out;
    }
    void barrier() const override {}
  } two;
  CHECK_THROWS_WITH_AS(cohort::distributed::migrate<3>(pop, x, d, two),
                       doctest::Contains("no payload codec"), std::invalid_argument);
  world.accountant().context(0).deallocate(pop.account(), row, tag, p, 32);
}
