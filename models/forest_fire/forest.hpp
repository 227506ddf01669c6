#pragma once
// ForestFire's cellular automaton (classic_abm_models.md section 4): tree states as a cell layer
// of the grid space, a synchronous burn step driven by the list of burning cells.

#include <cstdint>
#include <vector>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/cell_layer.hpp"
#include "cohort/space/grid/grid_settings.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

namespace cohort::models::forest_fire {

/// A cell's state; cells only ever go green -> burning -> burnt.
enum State : std::uint8_t { kEmpty = 0, kGreen = 1, kBurning = 2, kBurnt = 3 };

/// How the forest is planted.
struct ForestSettings {
  double density = 0.7;
  /// false (canonical: Agents.jl, Mesa): only the trees of the left column (x = 0) start
  /// burning. true (the declaration, NetLogo): every cell of that column starts burning.
  bool ignite_whole_column = false;
};

/// The forest: a state per cell and the current fire front.
class Forest {
 public:
  /// Charges the state layer to `owner` under space.layers.
  Forest(engine::World& world, engine::Population& owner, const space::GridSpaceSettings& grid,
         ForestSettings settings);

  /// Plants the forest: per cell one uniform draw U, a tree when U < density; trees with x = 0
  /// burn. Draws come from the owner population's streams, one per block of cells, so planting
  /// runs in parallel and gives the same forest on any thread count.
  void plant(engine::World& world, std::uint16_t owner_index);
  /// One synchronous step: every green neighbour of a burning cell ignites (joining the next
  /// front), every burning cell burns out. `reverse` processes the front backwards (the result
  /// does not depend on the order; tests check it).
  void step(bool reverse = false);

  const space::GridShape& shape() const { return neighbourhood_.shape(); }
  std::span<const std::uint8_t> states() const { return state_.values(); }
  std::span<const space::CellIndex> front() const { return front_; }
  std::uint64_t trees() const { return trees_; }
  std::uint64_t burnt() const { return burnt_; }
  std::uint64_t burning() const { return front_.size(); }
  /// burnt / trees at t = 0 (0 in a forest without trees).
  double burnt_fraction() const {
    return trees_ == 0 ? 0.0 : static_cast<double>(burnt_) / static_cast<double>(trees_);
  }

  void save(engine::CheckpointWriter& out) const;
  void load(engine::CheckpointReader& in);

 private:
  void recount();

  ForestSettings settings_;
  space::Neighbourhood neighbourhood_;
  space::CellLayer<std::uint8_t> state_;
  std::vector<space::CellIndex> front_, next_;
  std::uint64_t trees_ = 0, burnt_ = 0;
};

}  // namespace cohort::models::forest_fire
