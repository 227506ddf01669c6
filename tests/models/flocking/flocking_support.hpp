#pragma once
// A Flocking world as the model builds it, for the flocking tests.

#include <memory>

#include "cohort/engine/world.hpp"
#include "flocking/flock.hpp"

namespace cohort::testing::flocking {

using models::flocking::Flock;
using models::flocking::FlockRules;
using models::flocking::NeighbourSearch;
using models::flocking::Vec2;

struct FlockRun {
  std::unique_ptr<engine::World> world;
  std::unique_ptr<Flock> flock;  // after the world: released before it
};

/// A square periodic box of side `side`, birds with visual distance `r`, `birds` of them placed
/// from `seed` (0 birds: none, for hand-placed setups), stepped as the model steps them.
inline FlockRun make_flock(double side, double r, std::uint64_t birds, std::uint64_t seed,
                           NeighbourSearch search = NeighbourSearch::exact) {
  FlockRun run;
  run.world = std::make_unique<engine::World>(engine::WorldOptions{seed, 1});
  engine::Population& pop = run.world->add_population("birds", {.agent_ledger = false});
  FlockRules rules;
  rules.visual_distance = r;
  rules.search = search;
  run.flock =
      std::make_unique<Flock>(*run.world, pop, space::Box<2>({side, side}, {true, true}), rules);
  run.flock->populate(*run.world, birds);
  run.flock->add_activation(*run.world, "update");
  return run;
}

}  // namespace cohort::testing::flocking
