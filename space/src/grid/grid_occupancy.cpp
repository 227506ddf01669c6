#include "cohort/space/grid/grid_occupancy.hpp"

#include <algorithm>

#include <stdexcept>
#include <string>

namespace cohort::space {

using engine::AgentIndex;
using engine::Row;

namespace {
constexpr Row kNoRow = AgentIndex::kNoRow;
}

GridOccupancy::GridOccupancy(memory::Accountant& accountant, engine::Population& owner,
                             const GridShape& shape, Occupancy mode, EmptyCells empty)
    : owner_(&owner),
      shape_(shape),
      mode_(mode),
      track_empty_(empty == EmptyCells::tracked),
      cell_charge_(accountant, owner, SpaceTags::intern(accountant.tags()).cells),
      row_charge_(accountant, owner, SpaceTags::intern(accountant.tags()).cells) {
  const std::size_t n = shape.cells();
  const std::size_t per_cell = track_empty_ ? 12 : 4;
  cell_charge_.check_growth(n * per_cell, "grid");
  head_.assign(n, kNoRow);
  if (track_empty_) {
    empty_.resize(n);
    at_.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
      empty_[c] = static_cast<std::uint32_t>(c);
      at_[c] = static_cast<std::uint32_t>(c);
    }
  }
  cell_charge_.set(n * per_cell, n * per_cell);
  owner.attach(*this);
}

GridOccupancy::~GridOccupancy() {
  owner_->detach(*this);
}

void GridOccupancy::untracked() {
  throw std::logic_error("this grid does not track its empty cells (EmptyCells::untracked)");
}

void GridOccupancy::append_row(Row row) {
  (void)row;  // always the old size
  cell_.push_back(kNoCell);
  if (mode_ == Occupancy::multiple) links_.push_back({kNoRow, kNoRow});
  sync_row_charge();
}

void GridOccupancy::swap_remove_row(Row row, Row last) {
  remove(row);
  if (row != last) {
    const CellIndex cell = cell_[last];
    cell_[row] = cell;
    if (mode_ == Occupancy::single) {
      if (cell != kNoCell) head_[cell] = row;
    } else {
      const Link l = links_[last];
      if (cell != kNoCell) {  // its neighbours (or the cell's head) now name `row`
        entry_before(l.prev, cell, last) = row;
        links_[or_if_none(l.next, last)].prev = row;  // no next: last's own entry, dropped below
      }
      links_[row] = l;
    }
  }
  cell_.pop_back();
  if (mode_ == Occupancy::multiple) links_.pop_back();
  sync_row_charge();
}

void GridOccupancy::permute_rows(std::span<const Row> order) {
  // new row i holds old row order[i]: rename every stored row through the inverse.
  std::vector<Row> renamed(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    renamed[order[i]] = static_cast<Row>(i);
  auto rename = [&](Row r) { return r == kNoRow ? kNoRow : renamed[r]; };
  for (Row& h : head_)
    h = rename(h);
  std::vector<CellIndex> cells(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    cells[i] = cell_[order[i]];
  cell_.swap(cells);
  if (mode_ == Occupancy::multiple) {
    std::vector<Link> links(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      links[i] = {rename(links_[order[i]].next), rename(links_[order[i]].prev)};
    links_.swap(links);
  }
}

void GridOccupancy::save(engine::CheckpointWriter& out) const {
  out.put<std::uint64_t>(shape_.cells());
  out.put_vector(cell_);
  out.put_vector(head_);
  out.put_vector(empty_);
  if (mode_ == Occupancy::multiple) {  // the format of separate next and prev arrays
    std::vector<Row> next(links_.size()), prev(links_.size());
    for (std::size_t r = 0; r < links_.size(); ++r)
      next[r] = links_[r].next, prev[r] = links_[r].prev;
    out.put_vector(next);
    out.put_vector(prev);
  }
}

void GridOccupancy::load(engine::CheckpointReader& in) {
  const auto cells = in.get<std::uint64_t>("grid cell count");
  auto cell = in.get_vector<CellIndex>("grid cell of each agent");
  auto head = in.get_vector<Row>("grid cell heads");
  auto empty = in.get_vector<std::uint32_t>("grid empty cells");
  const std::size_t rows = owner_->size();
  auto bad = [&](const std::string& what) {
    return engine::CheckpointError("checkpoint does not match the grid of population '" +
                                   owner_->name() + "': " + what);
  };
  if (cells != shape_.cells() || head.size() != shape_.cells() || empty.size() > cells)
    throw bad(std::to_string(cells) + " cells saved, the grid has " +
              std::to_string(shape_.cells()));
  if (cell.size() != rows)
    throw bad(std::to_string(cell.size()) + " agents saved, the population has " +
              std::to_string(rows));
  for (const CellIndex c : cell)
    if (c != kNoCell && c >= cells) throw bad("an agent's cell is outside the grid");
  for (const Row h : head)
    if (h != kNoRow && h >= rows) throw bad("a cell names a row beyond the population");
  if (!track_empty_ && !empty.empty()) throw bad("empty cells saved for an untracked grid");
  std::vector<std::uint32_t> at(track_empty_ ? cells : 0, kNoCell);
  for (std::size_t i = 0; i < empty.size(); ++i) {
    if (empty[i] >= cells || head[empty[i]] != kNoRow || at[empty[i]] != kNoCell)
      throw bad("the empty-cell list is inconsistent");
    at[empty[i]] = static_cast<std::uint32_t>(i);
  }
  // Every placed agent is reached from its cell exactly once, and every link points back (a
  // forged link would otherwise be followed, out of range, at the agent's next move or death).
  const auto placed = static_cast<std::size_t>(
      std::count_if(cell.begin(), cell.end(), [](CellIndex c) { return c != kNoCell; }));
  const auto vacant = static_cast<std::size_t>(std::count(head.begin(), head.end(), kNoRow));
  if (track_empty_ && empty.size() != vacant) throw bad("the empty-cell list is inconsistent");
  if (mode_ == Occupancy::single) {
    for (std::size_t c = 0; c < cells; ++c)
      if (head[c] != kNoRow && cell[head[c]] != c) throw bad("a cell names an agent elsewhere");
    if (cells - vacant != placed) throw bad("agents are placed in cells that do not name them");
  }
  if (mode_ == Occupancy::multiple) {
    auto next = in.get_vector<Row>("grid cell lists (next)");
    auto prev = in.get_vector<Row>("grid cell lists (prev)");
    if (next.size() != rows || prev.size() != rows) throw bad("cell lists of the wrong length");
    std::size_t listed = 0;  // a cycle would list more agents than there are
    for (std::size_t c = 0; c < cells; ++c) {
      Row before = kNoRow;
      for (Row r = head[c]; r != kNoRow; before = r, r = next[r])
        if (r >= rows || cell[r] != c || prev[r] != before || ++listed > rows)
          throw bad("a cell list is broken");
    }
    if (listed != placed) throw bad("agents are placed in cells whose lists miss them");
    links_.resize(rows);
    for (std::size_t r = 0; r < rows; ++r)
      links_[r] = {next[r], prev[r]};
  }
  cell_ = std::move(cell);
  head_ = std::move(head);
  empty_ = std::move(empty);
  if (track_empty_) empty_.reserve(cells);
  at_ = std::move(at);
  sync_row_charge();
}

}  // namespace cohort::space
