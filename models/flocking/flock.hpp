#pragma once
// Flocking (Boids), classic_abm_models.md section 1: birds in a periodic 2-D box, activated one
// at a time in a fresh random order each step, each steering by cohesion, separation and
// alignment with the birds it sees, then moving one unit. Positions and velocities are columns
// of the population; the space's cell list is kept current as each bird moves, so a bird sees
// the already-updated positions of those activated before it (asynchronous update). A named
// variant, `simultaneous`, steers every bird from the step's start state and then moves them
// all, with neighbour sums in fixed point: results that do not depend on the order the birds
// are visited in, so the flock runs spread over MPI ranks with the same outputs on any count.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cohort/distributed/box_decomposition.hpp"
#include "cohort/distributed/halo_exchange.hpp"
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

/// How the birds of one step are scheduled.
enum class FlockSchedule {
  /// Canonical (the spec, Agents.jl): one bird at a time in a fresh random order, each seeing
  /// the birds activated before it as already moved. One rank only: the order is global.
  random,
  /// All birds steer from the positions and velocities at the start of the step, then all move
  /// (NetLogo-like staged update). Neighbour sums are in fixed point (Flock::fixed_unit), so a
  /// bird's new velocity does not depend on the order its neighbours are visited in, nor on the
  /// thread or MPI rank it is computed on.
  simultaneous,
};

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
  FlockSchedule schedule = FlockSchedule::random;
};

/// Fixed-point units per unit of length or speed for a box whose longest side is `longest`:
/// 2^50 / 2^k with 2^k > max(longest, 2), so every term (a separation or distance in the box, a
/// velocity of length at most sqrt 2) stays below engine::kFixedTermLimit, at the finest
/// resolution that allows (2^-43 for the 100-wide small case).
double flock_fixed_unit(double longest);

/// The observables of one configuration.
struct FlockStats {
  double polarisation = 0;      ///< |sum of velocities| / N
  double mean_nn_distance = 0;  ///< mean over birds of the distance to the nearest other bird
  double mean_neighbours = 0;   ///< mean number of other birds within visual_distance (exact)
};

/// The birds, their box and bins, and the rule.
class Flock {
 public:
  /// Adds the position and velocity columns to `birds` (empty) and sets up the bins; with the
  /// simultaneous schedule on more than one rank, also the halo exchange. Throws
  /// std::invalid_argument for the random schedule or the cells_only search on several ranks.
  Flock(engine::World& world, engine::Population& birds, const space::Box<2>& box,
        const FlockRules& rules);
  ~Flock();
  Flock(const Flock&) = delete;
  Flock& operator=(const Flock&) = delete;

  /// Creates `count` birds in order, each drawing vel = (2U-1, 2U-1) (not normalised), then a
  /// uniform position, from its own stream; then bins them. On several ranks every rank draws
  /// every bird, cuts the box by recursive bisection of the positions and keeps its region's
  /// birds, with the uids they have on one rank.
  void populate(engine::World& world, std::uint64_t count);
  /// Creates one bird at `pos` (wrapped) with velocity `vel` and re-bins (tests, small setups).
  engine::Row add_bird(const Vec2& pos, const Vec2& vel);
  /// Activates the bird at `row`: steers it by the birds it sees now, normalises its velocity,
  /// moves it by `speed` and re-bins it. Returns how many birds it saw.
  std::uint32_t activate(engine::Row row);
  /// Adds the system that moves every bird once per step in `phase` by the rules' schedule.
  /// random: one at a time, in a fresh uniform random order: a Fisher-Yates shuffle of the rows
  /// with the population's stream for the step, so the same on any thread count and after a
  /// resume (no births or deaths; flocks of 16,384 birds or more re-sort their rows by bin every
  /// 10 steps). simultaneous: every bird's new velocity from the step's start state, in
  /// parallel, then every move, then (on several ranks) migration and a fresh halo.
  void add_activation(engine::World& world, const std::string& phase);
  /// Re-bins every bird from the position column (after a checkpoint was loaded, or the rows
  /// were reordered); with the simultaneous schedule on several ranks also the halo.
  void rebin();
  /// After a resume on several ranks, which gives every rank every bird: cuts the box afresh by
  /// a bisection of all the positions for this rank count and keeps this rank's birds. Nothing
  /// on one rank. Then rebin().
  void keep_own_region();
  /// Polarisation, mean nearest-neighbour distance and mean neighbour count now, over every
  /// rank (collective). Sums in fixed point: the same bits on any thread or rank count.
  FlockStats stats(engine::World& world) const;

  engine::Population& birds() const { return *birds_; }
  engine::Component<Vec2> position() const { return pos_; }
  engine::Component<Vec2> velocity() const { return vel_; }
  const space::Box<2>& box() const { return cells_.box(); }
  const space::CellList<2>& cells() const { return cells_; }
  const FlockRules& rules() const { return rules_; }
  /// The binned points: the rows' positions, then (simultaneous schedule on several ranks) the
  /// ghosts', birds of other ranks within the visual distance of this rank's region.
  std::span<const Vec2> points() const;
  /// Ghost birds this rank sees (0 on one rank).
  std::size_t ghosts() const { return ghost_velocities_.size(); }
  /// The fixed-point unit of the sums (flock_fixed_unit of the box).
  double fixed_unit() const { return fixed_unit_; }

 private:
  void charge_cells();
  void activate_all(engine::World& world, std::uint64_t step);
  std::uint32_t activate(engine::Row row, std::span<Vec2> pos, std::span<Vec2> vel);
  // The simultaneous schedule (simultaneous_step.cpp).
  void step_simultaneously(engine::World& world);
  Vec2 steer_from_start(engine::Row row, std::span<const Vec2> vel) const;
  void refresh_neighbourhood();
  // Squared distance from `p` to the nearest of this rank's birds other than row `self` (a row,
  // or ~0u for none), searching outwards from `radius`; infinity when this rank has none.
  double nearest_own(const Vec2& p, std::uint32_t self, double radius) const;

  engine::Population* birds_;
  memory::Accountant* accountant_;
  space::SpaceTags tags_;
  FlockRules rules_;
  engine::Component<Vec2> pos_, vel_;
  space::CellList<2> cells_;
  std::size_t charged_ = 0;
  std::array<int, 2> reach_{};  // bins an exact query of visual_distance reaches per axis
  std::vector<engine::Row> order_;
  // Simultaneous schedule: the binned points (rows, then ghosts), the ghosts' velocities and
  // the step's new velocities; the decomposition and halo on several ranks.
  const engine::RankGroup* ranks_;
  double fixed_unit_;
  std::vector<Vec2> points_;
  std::vector<Vec2> ghost_velocities_;
  std::vector<Vec2> next_velocities_;
  std::unique_ptr<distributed::BoxDecomposition<2>> decomposition_;
  std::unique_ptr<distributed::HaloExchange<2>> halo_;
};

}  // namespace cohort::models::flocking
