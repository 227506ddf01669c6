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

/// Whether a grid keeps the set of empty cells (for "move to a random empty cell").
enum class EmptyCells : std::uint8_t {
  tracked,    ///< empty_count(), empty_at() and random_empty() work (Schelling)
  untracked,  ///< not kept: saves 8 B per cell and two scattered writes per cell change (WolfSheep)
};

/// The grid position of every agent of one population, and the agents of every cell.
///
/// Changes (place, move, remove) happen on one thread at a time: from a sequential (random
/// schedule) system, a phase-end callback (see GridMoves, which resolves parallel move requests
/// through claims) or a spawn initialiser. Reads are safe from any thread while nothing changes.
/// Within a cell of a multiple-occupancy grid agents are listed most recent arrival first; the
/// lists and the empty-cell set are saved by save() so a resumed run lists them identically.
///
/// Memory: per cell 12 B, 8 B less with EmptyCells::untracked; per
/// row 4 B (single) or 12 B (multiple); charged to the population under space.cells. Must be
/// destroyed before the population. The changes are inline: a random-walk model moves every
/// agent every step, and a call per move cost more than the move.
class GridOccupancy final : public engine::RowStore {
 public:
  /// Attaches to `owner` (which must be empty) and charges the cell arrays; throws
  /// memory::BudgetExceeded if they do not fit the owner's population budget.
  GridOccupancy(memory::Accountant& accountant, engine::Population& owner, const GridShape& shape,
                Occupancy mode, EmptyCells empty = EmptyCells::tracked);
  ~GridOccupancy() override;
  GridOccupancy(const GridOccupancy&) = delete;
  GridOccupancy& operator=(const GridOccupancy&) = delete;

  const GridShape& shape() const { return shape_; }
  Occupancy mode() const { return mode_; }
  bool tracks_empty() const { return track_empty_; }
  /// The cell of the agent at `row`, or kNoCell if it is not placed.
  CellIndex cell_of(engine::Row row) const { return cell_[row]; }
  /// Every row's cell.
  std::span<const CellIndex> cells() const { return cell_; }
  /// Agents on `cell`: a walk of its list (multiple occupancy keeps no per-cell count, so a
  /// move writes one cell array instead of two; lists are short where agents walk at random).
  std::uint32_t count(CellIndex cell) const {
    std::uint32_t n = 0;
    for_each_in(cell, [&](engine::Row) { ++n; });
    return n;
  }
  bool is_empty(CellIndex cell) const { return words_[cell] == kEnd; }
  /// The (first) agent on `cell`, or AgentIndex::kNoRow.
  engine::Row first(CellIndex cell) const { return row_of_node(words_[cell]); }
  /// The agent after `row` in its cell's list (multiple occupancy), or AgentIndex::kNoRow.
  engine::Row next(engine::Row row) const { return row_of_node(words_[next_word(node_of(row))]); }
  /// Calls fn(Row) for every agent on `cell`, most recent arrival first.
  template <class Fn>
  void for_each_in(CellIndex cell, Fn&& fn) const {
    if (mode_ == Occupancy::single) {
      if (words_[cell] != kEnd) fn(row_of_node(words_[cell]));
      return;
    }
    for (Node n = words_[cell]; n != kEnd; n = words_[next_word(n)])
      fn(row_of_node(n));
  }

  /// Puts the unplaced agent at `row` on `cell`; false (nothing changes) if the grid has single
  /// occupancy and the cell is taken.
  bool place(engine::Row row, CellIndex cell) {
    if (mode_ == Occupancy::single && words_[cell] != kEnd) return false;
    if (cell_[row] != kNoCell) unlink(row, cell_[row]);
    link(row, cell);
    return true;
  }
  /// Moves the placed agent at `row` to `cell`; false if single occupancy and another agent is
  /// there. Moving to its own cell succeeds and changes nothing.
  bool move(engine::Row row, CellIndex cell) {
    const CellIndex from = cell_[row];
    if (from == cell) return true;
    if (mode_ == Occupancy::single && words_[cell] != kEnd) return false;
    if (from != kNoCell) unlink(row, from);
    link(row, cell);
    return true;
  }
  /// Takes the agent at `row` off the grid (it stays in the population).
  void remove(engine::Row row) {
    if (cell_[row] != kNoCell) unlink(row, cell_[row]);
  }

  /// Cells holding no agent. This and the next two throw std::logic_error on an untracked grid.
  std::size_t empty_count() const {
    if (!track_empty_) untracked();
    return empty_.size();
  }
  CellIndex empty_at(std::size_t i) const {
    if (!track_empty_) untracked();
    return empty_[i];
  }
  /// A uniformly drawn empty cell, or kNoCell when there is none.
  CellIndex random_empty(engine::RandomStream& rng) const {
    if (!track_empty_) untracked();
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
  std::size_t bytes_per_row() const override {
    return mode_ == Occupancy::single ? sizeof(CellIndex) : sizeof(CellIndex) + 2 * sizeof(Node);
  }

 private:
  // The cell lists live in one array of 4-byte words, `words_`: first one word per cell, the
  // number of its first agent's node (kEnd when empty); then, in multiple occupancy, two words
  // per node: its next node (kEnd at the list's end) and where the word that names it is (its
  // cell's word, or the previous node's next word). Node 0 is a spare that no list reaches: a
  // list's last node names it as next, so an unlink or a link writes its back word instead of
  // testing for an end; agent `row` is node row + 1. So a move is two writes to unlink and four to
  // link, with no test of whether the agent heads its list or has a successor (the way Linux's
  // hlist keeps a pointer to the pointer that names a node).
  using Node = std::uint32_t;
  static constexpr Node kEnd = 0;
  static Node node_of(engine::Row row) { return row + 1; }
  static engine::Row row_of_node(Node n) { return n - 1; }  // kEnd -> AgentIndex::kNoRow
  std::size_t next_word(Node n) const { return base_ + 2 * std::size_t{n}; }
  std::size_t back_word(Node n) const { return next_word(n) + 1; }

  void link(engine::Row row, CellIndex cell) {
    cell_[row] = cell;
    const Node head = words_[cell];
    // The flag first: whether a cell is empty is a coin toss where agents walk at random, and an
    // untracked grid need not ask.
    if (track_empty_ && head == kEnd) mark_taken(cell);
    if (mode_ == Occupancy::multiple) {
      const Node n = node_of(row);
      words_[next_word(n)] = head;
      words_[back_word(n)] = cell;
      words_[back_word(head)] = static_cast<Node>(next_word(n));  // the spare's, if no head
      words_[cell] = n;
    } else {
      words_[cell] = node_of(row);
    }
  }
  /// Reserves for the row `row` (the next one) and checks that the grid can list it; the only
  /// allocation of append_row(), kept out of its line.
  [[gnu::noinline]] void make_room(engine::Row row);
  void unlink(engine::Row row, CellIndex cell) {
    if (mode_ == Occupancy::single) {
      words_[cell] = kEnd;
    } else {
      const Node n = node_of(row);
      const Node after = words_[next_word(n)];
      const Node named_at = words_[back_word(n)];
      words_[named_at] = after;
      words_[back_word(after)] = named_at;  // the spare's, if `row` was last
    }
    if (track_empty_ && words_[cell] == kEnd) mark_empty(cell);
    cell_[row] = kNoCell;
  }
  void mark_empty(CellIndex cell) {
    at_[cell] = static_cast<std::uint32_t>(empty_.size());
    empty_.push_back(cell);
  }
  void mark_taken(CellIndex cell) {
    const std::uint32_t i = at_[cell];
    const CellIndex moved = empty_.back();
    empty_[i] = moved;
    at_[moved] = i;
    empty_.pop_back();
    at_[cell] = kNoCell;
  }
  [[noreturn]] static void untracked();
  void sync_row_charge() {
    const std::size_t per_row = bytes_per_row();
    row_charge_.set(cell_.size() * per_row, cell_.capacity() * per_row);
  }

  engine::Population* owner_;
  GridShape shape_;
  Occupancy mode_;
  bool track_empty_;
  std::size_t base_;                  // cells: where the nodes' words begin
  std::vector<Node> words_;           // cell heads, then (multiple only) the spare and the nodes
  std::vector<std::uint32_t> empty_;  // tracked only: the empty cells, in no particular order
  std::vector<std::uint32_t> at_;     // tracked only, per cell: its index in empty_, or kNoCell
  std::vector<CellIndex> cell_;       // per row
  SpaceCharge cell_charge_;
  SpaceCharge row_charge_;
};

}  // namespace cohort::space
