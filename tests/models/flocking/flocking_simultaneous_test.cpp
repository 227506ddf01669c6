// Flocking's simultaneous schedule: every bird steers from the step's start state, with its
// neighbour sums in fixed point, so the flock is the same bits whatever the order of its rows,
// the thread count or the number of ranks it is spread over (ranks played by threads here; the
// mpirun runs are in tests/distributed/mpi_runs.sh).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <numeric>
#include <utility>
#include <vector>

#include "distributed/thread_ranks.hpp"
#include "flocking_support.hpp"

using namespace cohort;
using namespace cohort::testing::flocking;
using engine::Row;
using engine::Uid;
using models::flocking::FlockStats;

namespace {

// Every bird's position and velocity by uid, as the bits of the doubles.
using BirdBits = std::map<Uid, std::array<std::uint64_t, 4>>;

void collect(const Flock& f, BirdBits& out) {
  const auto pos = f.birds().column(f.position());
  const auto vel = f.birds().column(f.velocity());
  for (Row r = 0; r < pos.size(); ++r) {
    std::array<double, 4> v = {pos[r][0], pos[r][1], vel[r][0], vel[r][1]};
    std::array<std::uint64_t, 4> bits;
    std::memcpy(bits.data(), v.data(), sizeof bits);
    out[f.birds().uid_at(r)] = bits;
  }
}

std::array<std::uint64_t, 3> stats_bits(const FlockStats& s) {
  const std::array<double, 3> v = {s.polarisation, s.mean_nn_distance, s.mean_neighbours};
  std::array<std::uint64_t, 3> bits;
  std::memcpy(bits.data(), v.data(), sizeof bits);
  return bits;
}

struct Outcome {
  BirdBits birds;
  std::vector<std::array<std::uint64_t, 3>> stats;  // after each step
  std::size_t ghosts = 0;                           // summed over ranks and steps
  bool every_rank_owned_birds = true;
};

// 300 birds in a 40 x 40 box, visual distance 5, stepped `steps` times over `ranks` ranks on
// `threads` threads each; with `reversed`, each rank's rows are reversed after placement.
Outcome fly(int ranks, std::size_t threads, bool reversed, int steps = 12) {
  Outcome out;
  std::mutex m;
  cohort::testing::ThreadRanks group(ranks);
  group.run([&](const engine::RankGroup& me) {
    FlockRun run = make_flock(
        40, 5, 300, 9,
        FlockSetup{.schedule = FlockSchedule::simultaneous,
                   .threads = threads,
                   .ranks = std::shared_ptr<const engine::RankGroup>(&me, [](auto*) {})});
    Flock& f = *run.flock;
    if (reversed) {
      std::vector<Row> order(f.birds().size());
      std::iota(order.rbegin(), order.rend(), Row{0});
      f.birds().permute(order);
      f.rebin();
    }
    std::vector<std::array<std::uint64_t, 3>> stats;
    std::size_t ghosts = 0;
    bool owned = f.birds().size() > 0;
    for (int t = 0; t < steps; ++t) {
      run.world->run_step();
      stats.push_back(stats_bits(f.stats(*run.world)));
      ghosts += f.ghosts();
      owned = owned && f.birds().size() > 0;
    }
    const std::lock_guard lock(m);
    collect(f, out.birds);
    if (me.rank() == 0) out.stats = stats;
    out.ghosts += ghosts;
    out.every_rank_owned_birds = out.every_rank_owned_birds && owned;
  });
  return out;
}

}  // namespace

TEST_CASE("flocking simultaneous: each bird steers from where the other started") {
  FlockRun run = make_flock(100, 5, 0, 1, FlockSetup{.schedule = FlockSchedule::simultaneous});
  Flock& f = *run.flock;
  const Row a = f.add_bird({50, 50}, {1, 0});
  const Row b = f.add_bird({50.5, 50}, {0, 1});
  run.world->run_step();
  // a: the spec's worked update (its neighbour's start state is the one the spec uses).
  check_bird(f, a, {0.9987708112299153, 0.04956678963920175},
             {50.99877081122992, 50.0495667896392});
  // b sees a where a started, not where a moved: h = (-0.5, 0) (inside the separation), vel_a =
  // (1, 0), so vel = (0, 1) + 0.03 * (-0.5, 0) + 0.015 * (0.5, 0) + 0.05 * (1, 0) = (0.0425, 1)
  // before normalising.
  const double norm = std::hypot(0.0425, 1.0);
  check_bird(f, b, {0.0425 / norm, 1 / norm}, {50.5 + 0.0425 / norm, 50 + 1 / norm});
}

TEST_CASE("flocking simultaneous: the same bits whatever the rows' order and thread count") {
  const Outcome one = fly(1, 1, false);
  REQUIRE(one.birds.size() == 300);
  for (const auto& [threads, reversed] :
       std::vector<std::pair<std::size_t, bool>>{{1, true}, {2, false}, {3, true}}) {
    CAPTURE(threads);
    CAPTURE(reversed);
    const Outcome other = fly(1, threads, reversed);
    CHECK(other.birds == one.birds);
    CHECK(other.stats == one.stats);
  }
  // The birds did move and steer: none kept its initial (unnormalised) velocity.
  const Outcome start = fly(1, 1, false, 0);
  std::size_t unchanged = 0;
  for (const auto& [uid, bits] : one.birds)
    unchanged += start.birds.at(uid) == bits;
  CHECK(unchanged == 0);
}

TEST_CASE("flocking simultaneous over 2 and 3 ranks: the same birds and observables as one") {
  const Outcome one = fly(1, 1, false);
  CHECK(one.ghosts == 0);
  for (const int ranks : {2, 3}) {
    CAPTURE(ranks);
    const Outcome spread = fly(ranks, 2, ranks == 3);
    CHECK(spread.every_rank_owned_birds);
    CHECK(spread.ghosts > 0);  // the ranks did see one another's birds
    CHECK(spread.birds == one.birds);
    CHECK(spread.stats == one.stats);
  }
}
