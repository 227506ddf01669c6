#pragma once
// Schelling's segregation rule (classic_abm_models.md section 2) on the grid space: each agent
// counts same-group neighbours and, when too few, moves to a random empty cell.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/cell_layer.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"
#include "cohort/space/grid/grid_settings.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

namespace cohort::models::schelling {

/// How the two groups are split among K agents.
enum class GroupSplit : std::uint8_t {
  agents_jl,  ///< agent n (1-based) is group 1 if n < K/2 (499/501 for K = 1000), canonical
  even,       ///< the first floor(K/2) agents are group 1 (500/500; the declaration, Ark.jl)
};

struct SegregationSettings {
  std::uint32_t min_to_be_happy = 3;
  GroupSplit split = GroupSplit::agents_jl;
};

/// One agent's activation, as seen before its move is applied (for tests and observers).
struct Activation {
  engine::Row row;
  std::uint32_t same;   ///< same-group neighbours counted
  space::CellIndex to;  ///< the empty cell it moves to, or kNoCell if it stays
};

/// Observables of the current configuration.
struct SegregationStats {
  double happy = 0;       ///< fraction of agents with >= min_to_be_happy same-group neighbours
  double same_share = 0;  ///< mean over agents with occupied neighbour cells of same / occupied
};

/// The agents, their grid and the rule.
class Segregation {
 public:
  /// Adds the components to `agents` (empty) and attaches the occupancy index to it.
  Segregation(engine::World& world, engine::Population& agents,
              const space::GridSpaceSettings& grid, SegregationSettings settings);

  /// Creates `count` agents in order, each on a uniformly random empty cell.
  void populate(engine::World& world, std::uint64_t count);
  /// Activates the agent at `row`: counts its same-group neighbours and, if unhappy, moves it to
  /// a cell drawn from `rng` among the empty ones. Sequential use only.
  Activation activate(engine::Row row, engine::RandomStream& rng);
  /// Activates every agent once, one at a time, in a fresh uniform random order (a Fisher-Yates
  /// shuffle of the rows with the population's stream for `step`: rows are the same on any thread
  /// count and after a resume, so the order is too). Returns how many moved.
  std::uint64_t step(engine::World& world, std::uint64_t step);
  /// Restores the cell layer of groups from the occupancy index (after a checkpoint is loaded).
  void sync_cells();
  /// Same-group and occupied neighbour cells of the agent at `row`.
  std::pair<std::uint32_t, std::uint32_t> neighbours(engine::Row row) const;
  /// Happy fraction and mean same-group share now (parallel, deterministic).
  SegregationStats stats(engine::World& world) const;

  const space::GridOccupancy& grid() const { return *grid_; }
  space::GridOccupancy& grid() { return *grid_; }
  engine::Component<std::uint8_t> group() const { return group_; }
  engine::Population& agents() const { return *agents_; }
  std::uint32_t min_to_be_happy() const { return settings_.min_to_be_happy; }

 private:
  /// Moves the agent at `row` to an empty cell drawn from `rng`; that cell, or kNoCell if none.
  space::CellIndex relocate(engine::Row row, engine::RandomStream& rng);

  engine::Population* agents_;
  SegregationSettings settings_;
  engine::Component<std::uint8_t> group_;
  space::Neighbourhood neighbourhood_;
  std::optional<space::GridOccupancy> grid_;
  // The group standing on each cell (0 = empty): the neighbour count reads one byte per cell
  // without branching, instead of a row and then its group (measured 3x faster on the large case).
  std::optional<space::CellLayer<std::uint8_t>> group_at_;
  std::vector<engine::Row> order_;
};

}  // namespace cohort::models::schelling
