#pragma once
// Moves and placements asked for by parallel systems, resolved at the phase end through the
// engine's claims: two agents that want one free cell resolve the same way on any thread count.

#include <cstdint>
#include <functional>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"

namespace cohort::space {

/// A claim channel for moves on one occupancy index.
///
/// Single occupancy: the resource claimed is the target cell; per cell one claimant wins by the
/// rule (a keyed random draw, or the lowest uid), and it moves if the cell is empty when its claim
/// is resolved. Claims are resolved in ascending cell order, so a cell vacated by a winner of a
/// lower cell is free for the claims on higher cells, and not for lower ones. Multiple occupancy:
/// every request succeeds, applied in uid order. Requests from unplaced agents are placements.
class GridMoves {
 public:
  /// Told for every request, on the main thread, in resolution order.
  using Outcome =
      std::function<void(engine::Population& movers, engine::Row row, CellIndex to, bool moved)>;

  GridMoves(engine::World& world, engine::Population& movers, GridOccupancy& grid,
            engine::ClaimRule rule = engine::ClaimRule::random, Outcome outcome = {});
  GridMoves(const GridMoves&) = delete;
  GridMoves& operator=(const GridMoves&) = delete;

  /// From a system over the movers: asks that the agent at `row` move to `to`.
  void request(engine::BlockContext& ctx, engine::Row row, CellIndex to) const {
    const std::uint64_t resource = grid_->mode() == Occupancy::single
                                       ? std::uint64_t{to}
                                       : (std::uint64_t{1} << 63) | ctx.population.uid_at(row);
    ctx.claim(channel_, row, resource, to);
  }
  /// Asks for a cell drawn uniformly from those empty at the phase start; returns it (kNoCell,
  /// and no request, when none is empty).
  CellIndex request_random_empty(engine::BlockContext& ctx, engine::Row row,
                                 engine::RandomStream& rng) const {
    const CellIndex to = grid_->random_empty(rng);
    if (to != kNoCell) request(ctx, row, to);
    return to;
  }

  /// Requests that moved, and that were refused (lost the claim or found the cell taken), so far.
  std::uint64_t moved() const { return moved_; }
  std::uint64_t refused() const { return refused_; }

 private:
  GridOccupancy* grid_;
  Outcome outcome_;
  engine::Claim<CellIndex> channel_;
  std::uint64_t moved_ = 0, refused_ = 0;
};

}  // namespace cohort::space
