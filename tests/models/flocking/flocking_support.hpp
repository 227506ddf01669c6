#pragma once
// A Flocking world as the model builds it, for the flocking tests.

#include <doctest/doctest.h>

#include <memory>

#include "cohort/engine/world.hpp"
#include "flocking/flock.hpp"

namespace cohort::testing::flocking {

using models::flocking::Flock;
using models::flocking::FlockRules;
using models::flocking::FlockSchedule;
using models::flocking::NeighbourSearch;
using models::flocking::Vec2;

struct FlockRun {
  std::unique_ptr<engine::World> world;
  std::unique_ptr<Flock> flock;  // after the world: released before it
};

/// How a test flock is run: search, schedule, threads, and the ranks it is one of (null: one).
struct FlockSetup {
  NeighbourSearch search = NeighbourSearch::exact;
  FlockSchedule schedule = FlockSchedule::random;
  std::size_t threads = 1;
  std::shared_ptr<const engine::RankGroup> ranks = nullptr;
};

/// A square periodic box of side `side`, birds with visual distance `r`, `birds` of them placed
/// from `seed` (0 birds: none, for hand-placed setups), stepped as the model steps them.
inline FlockRun make_flock(double side, double r, std::uint64_t birds, std::uint64_t seed,
                           const FlockSetup& setup = {}) {
  FlockRun run;
  run.world = std::make_unique<engine::World>(
      engine::WorldOptions{.seed = seed, .threads = setup.threads, .ranks = setup.ranks});
  engine::Population& pop = run.world->add_population("birds", {.agent_ledger = false});
  FlockRules rules;
  rules.visual_distance = r;
  rules.search = setup.search;
  rules.schedule = setup.schedule;
  run.flock =
      std::make_unique<Flock>(*run.world, pop, space::Box<2>({side, side}, {true, true}), rules);
  run.flock->populate(*run.world, birds);
  run.flock->add_activation(*run.world, "update");
  return run;
}

inline FlockRun make_flock(double side, double r, std::uint64_t birds, std::uint64_t seed,
                           NeighbourSearch search) {
  return make_flock(side, r, birds, seed, FlockSetup{.search = search});
}

/// Checks the bird's velocity and position to the last digit or two.
inline void check_bird(const Flock& f, engine::Row bird, const Vec2& v, const Vec2& p) {
  const Vec2 vel = f.birds().column(f.velocity())[bird], pos = f.birds().column(f.position())[bird];
  for (int a = 0; a < 2; ++a) {
    CHECK(vel[a] == doctest::Approx(v[a]).epsilon(1e-15));
    CHECK(pos[a] == doctest::Approx(p[a]).epsilon(1e-15));
  }
}

}  // namespace cohort::testing::flocking
