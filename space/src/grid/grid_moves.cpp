#include "cohort/space/grid/grid_moves.hpp"

namespace cohort::space {

GridMoves::GridMoves(engine::World& world, engine::Population& movers, GridOccupancy& grid,
                     engine::ClaimRule rule, Outcome outcome)
    : grid_(&grid), outcome_(std::move(outcome)) {
  channel_ = world.add_claims<CellIndex>(
      "grid.move." + movers.name(), movers, rule, [this](engine::ClaimOutcome<CellIndex>& o) {
        const bool moved = o.won && grid_->move(o.row, o.payload);
        ++(moved ? moved_ : refused_);
        if (outcome_) outcome_(o.population, o.row, o.payload, moved);
      });
}

}  // namespace cohort::space
