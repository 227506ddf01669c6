#pragma once
// Flocking (Boids), classic_abm_models.md section 1: birds in a periodic 2-D box, activated one
// at a time in a fresh random order each step, each steering by cohesion, separation and
// alignment with the birds it sees, then moving one unit. Positions and velocities are columns
// of the population; the space's cell list is kept current as each bird moves, so a bird sees
// the already-updated positions of those activated before it (asynchronous update).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/space/continuous/cell_list.hpp"
#include "cohort/space/continuous/continuous_settings.hpp"
#include "cohort/space/space_tags.hpp"

namespace cohort::models::flocking {

using Vec2 = space::Vec<2>;

/// Which birds a bird sees: the space's query modes. exact (canonical): every other bird within
/// visual_distance (minimum image); cells_only: Agents.jl's default approximate search, every
/// bird in a disc of bins of width visual_distance / 1.5, no distance filter.
using NeighbourSearch = space::QueryMode;

/// The bird constants of the spec (all birds share them).
struct FlockRules {
  double speed = 1.0;
  double cohere_factor = 0.03;
  double separation = 1.0;
  double separate_factor = 0.015;
  double match_factor = 0.05;
  double visual_distance = 5.0;
  NeighbourSearch search = NeighbourSearch::exact;
  /// Bin width of the exact search's cell list (0: visual_distance, the fastest measured).
  double cell_size = 0;
};

/// The observables of one configuration.
struct FlockStats {
  double polarisation = 0;      ///< |sum of velocities| / N
  double mean_nn_distance = 0;  ///< mean over birds of the distance to the nearest other bird
  double mean_neighbours = 0;   ///< mean number of other birds within visual_distance (exact)
};

/// The birds, their box and bins, and the rule.
class Flock {
 public:
  /// Adds the position and velocity columns to `birds` (empty) and sets up the bins.
  Flock(engine::World& world, engine::Population& birds, const space::Box<2>& box,
        const FlockRules& rules);
  ~Flock();
  Flock(const Flock&) = delete;
  Flock& operator=(const Flock&) = delete;

  /// Creates `count` birds in order, each drawing vel = (2U-1, 2U-1) (not normalised), then a
  /// uniform position, from its own stream; then bins them.
  void populate(engine::World& world, std::uint64_t count);
  /// Creates one bird at `pos` (wrapped) with velocity `vel` and re-bins (tests, small setups).
  engine::Row add_bird(const Vec2& pos, const Vec2& vel);
  /// Activates the bird at `row`: steers it by the birds it sees now, normalises its velocity,
  /// moves it by `speed` and re-bins it. Returns how many birds it saw.
  std::uint32_t activate(engine::Row row);
  /// Adds the system that activates every bird once per step in `phase`, one at a time, in a
  /// fresh uniform random order: a Fisher-Yates shuffle of the rows with the population's
  /// stream for the step, so the same on any thread count and after a resume (no births or
  /// deaths; flocks of 16,384 birds or more re-sort their rows by bin every 10 steps).
  void add_activation(engine::World& world, const std::string& phase);
  /// Re-bins every bird from the position column (after a checkpoint was loaded).
  void rebin();
  /// Polarisation, mean nearest-neighbour distance and mean neighbour count now.
  FlockStats stats(engine::World& world) const;

  engine::Population& birds() const { return *birds_; }
  engine::Component<Vec2> position() const { return pos_; }
  engine::Component<Vec2> velocity() const { return vel_; }
  const space::Box<2>& box() const { return cells_.box(); }
  const space::CellList<2>& cells() const { return cells_; }
  const FlockRules& rules() const { return rules_; }

 private:
  void charge_cells();
  void activate_all(engine::World& world, std::uint64_t step);
  std::uint32_t activate(engine::Row row, std::span<Vec2> pos, std::span<Vec2> vel);

  engine::Population* birds_;
  memory::Accountant* accountant_;
  space::SpaceTags tags_;
  FlockRules rules_;
  engine::Component<Vec2> pos_, vel_;
  space::CellList<2> cells_;
  std::size_t charged_ = 0;
  std::array<int, 2> reach_{};  // bins an exact query of visual_distance reaches per axis
  std::vector<engine::Row> order_;
};

}  // namespace cohort::models::flocking
