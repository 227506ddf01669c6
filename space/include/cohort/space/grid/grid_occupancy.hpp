#pragma once
// Which agents stand on which cells of a grid: a row store of one population, so it follows every
// birth, death, swap-remove and permutation the population makes, and the set of empty cells for
// "move to a random empty cell". Its bytes are charged to the population under space.cells.

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/engine/random_stream.hpp"
#include "cohort/space/grid/grid_shape.hpp"
#include "cohort/space/grid/space_charge.hpp"
#include "cohort/space/space_tags.hpp"

namespace cohort::space {

/// How many agents a cell may hold.
enum class Occupancy : std::uint8_t {
  single,    ///< at most one (Schelling): placing on or moving to an occupied cell fails
  multiple,  ///< any number (WolfSheep)
};

/// The grid position of every agent of one population, and the agents of every cell.
///
/// Changes (place, move, remove) happen on one thread at a time: from a sequential (random
/// schedule) system, a phase-end callback (see GridMoves, which resolves parallel move requests
/// through claims) or a spawn initialiser. Reads are safe from any thread while nothing changes.
/// Within a cell of a multiple-occupancy grid agents are listed most recent arrival first; the
/// lists and the empty-cell set are saved by save() so a resumed run lists them identically.
///
/// Memory: per cell 12 B (single) or 16 B (multiple), per row 4 B (single) or 12 B (multiple),
/// charged to the population under space.cells. Must be destroyed before the population.
class GridOccupancy final : public engine::RowStore {
 public:
  /// Attaches to `owner` (which must be empty) and charges the cell arrays; throws
  /// memory::BudgetExceeded if they do not fit the owner's population budget.
  GridOccupancy(memory::Accountant& accountant, engine::Population& owner, const GridShape& shape,
                Occupancy mode);
  ~GridOccupancy() override;
  GridOccupancy(const GridOccupancy&) = delete;
  GridOccupancy& operator=(const GridOccupancy&) = delete;

  const GridShape& shape() const { return shape_; }
  Occupancy mode() const { return mode_; }
  /// The cell of the agent at `row`, or kNoCell if it is not placed.
  CellIndex cell_of(engine::Row row) const { return cell_[row]; }
  /// Every row's cell.
  std::span<const CellIndex> cells() const { return cell_; }
  /// Agents on `cell`.
  std::uint32_t count(CellIndex cell) const {
    return mode_ == Occupancy::single ? (head_[cell] != engine::AgentIndex::kNoRow ? 1u : 0u)
                                      : count_[cell];
  }
  bool is_empty(CellIndex cell) const { return head_[cell] == engine::AgentIndex::kNoRow; }
  /// The (first) agent on `cell`, or AgentIndex::kNoRow.
  engine::Row first(CellIndex cell) const { return head_[cell]; }
  /// Calls fn(Row) for every agent on `cell`, most recent arrival first.
  template <class Fn>
  void for_each_in(CellIndex cell, Fn&& fn) const {
    if (mode_ == Occupancy::single) {
      if (head_[cell] != engine::AgentIndex::kNoRow) fn(head_[cell]);
      return;
    }
    for (engine::Row r = head_[cell]; r != engine::AgentIndex::kNoRow; r = next_[r])
      fn(r);
  }

  /// Puts the unplaced agent at `row` on `cell`; false (nothing changes) if the grid has single
  /// occupancy and the cell is taken.
  bool place(engine::Row row, CellIndex cell);
  /// Moves the placed agent at `row` to `cell`; false if single occupancy and another agent is
  /// there. Moving to its own cell succeeds and changes nothing.
  bool move(engine::Row row, CellIndex cell);
  /// Takes the agent at `row` off the grid (it stays in the population).
  void remove(engine::Row row);

  /// Cells holding no agent.
  std::size_t empty_count() const { return empty_.size(); }
  CellIndex empty_at(std::size_t i) const { return empty_[i]; }
  /// A uniformly drawn empty cell, or kNoCell when there is none.
  CellIndex random_empty(engine::RandomStream& rng) const {
    if (empty_.empty()) return kNoCell;
    return empty_[rng.below(static_cast<std::uint32_t>(empty_.size()))];
  }

  /// Writes the index by content (cells per row, cell lists, the empty-cell order).
  void save(engine::CheckpointWriter& out) const;
  /// Reads what save() wrote, after the population's rows were restored. Throws
  /// engine::CheckpointError if it does not match the grid or the rows.
  void load(engine::CheckpointReader& in);

  // RowStore: called by the population.
  void append_row(engine::Row row) override;
  void swap_remove_row(engine::Row row, engine::Row last) override;
  void permute_rows(std::span<const engine::Row> order) override;

 private:
  void link(engine::Row row, CellIndex cell);
  void unlink(engine::Row row, CellIndex cell);
  void mark_empty(CellIndex cell);
  void mark_taken(CellIndex cell);
  void sync_row_charge();
  std::size_t bytes_per_row() const;

  engine::Population* owner_;
  GridShape shape_;
  Occupancy mode_;
  std::vector<engine::Row> head_;     // per cell: its (first) agent
  std::vector<std::uint32_t> count_;  // per cell (multiple only)
  std::vector<std::uint32_t> empty_;  // the empty cells, in no particular order
  std::vector<std::uint32_t> at_;     // per cell: its index in empty_, or kNoCell
  std::vector<CellIndex> cell_;       // per row
  std::vector<engine::Row> next_;     // per row (multiple only): next agent in its cell
  std::vector<engine::Row> prev_;     // per row (multiple only): previous agent, or kNoRow
  SpaceCharge cell_charge_;
  SpaceCharge row_charge_;
};

}  // namespace cohort::space
