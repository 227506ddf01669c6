#include "cohort/space/grid/grid_occupancy.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "cohort/memory/push_with_room.hpp"

namespace cohort::space {

using engine::AgentIndex;
using engine::Row;

namespace {
constexpr Row kNoRow = AgentIndex::kNoRow;
}  // namespace

GridOccupancy::GridOccupancy(memory::Accountant& accountant, engine::Population& owner,
                             const GridShape& shape, Occupancy mode, EmptyCells empty)
    : owner_(&owner),
      shape_(shape),
      mode_(mode),
      track_empty_(empty == EmptyCells::tracked),
      base_(shape.cells()),
      cell_charge_(accountant, owner, SpaceTags::intern(accountant.tags()).cells),
      row_charge_(accountant, owner, SpaceTags::intern(accountant.tags()).cells) {
  const std::size_t n = shape.cells();
  const std::size_t per_cell = track_empty_ ? 12 : 4;
  cell_charge_.check_growth(n * per_cell, "grid");
  words_.assign(n, kEnd);
  if (mode_ == Occupancy::multiple) words_.resize(n + 2, kEnd);  // the spare node
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
  // The appends cannot throw once there is room (make_room() is the one place that allocates,
  // and it changes nothing when it throws): a store that throws must be left as it was.
  const bool full = cell_.size() == cell_.capacity();  // the held figure grows with cell_
  if (full || (mode_ == Occupancy::multiple && words_.capacity() - words_.size() < 2)) [[unlikely]]
    make_room(row);
  memory::push_with_room(cell_, kNoCell);
  if (mode_ == Occupancy::multiple) {
    memory::push_with_room(words_, kEnd);  // the node's words: written when the agent is placed
    memory::push_with_room(words_, kEnd);
  }
  if (full) [[unlikely]]
    sync_row_charge();
  else
    row_charge_.add_used(bytes_per_row());
}

void GridOccupancy::make_room(Row row) {
  const std::size_t rows = std::size_t{row} + 1;
  if (mode_ == Occupancy::multiple) {
    // Every word index must fit a word: the cells' words, the spare's and two per agent.
    constexpr std::size_t kWords = 0xffffffffu;
    const std::size_t words = next_word(node_of(row)) + 2;
    if (words > kWords)
      throw std::length_error("a multiple-occupancy grid of " + std::to_string(base_) +
                              " cells holds at most " + std::to_string((kWords - base_) / 2 - 1) +
                              " agents");
    if (words > words_.capacity())
      words_.reserve(std::min(kWords, std::max(words, 2 * words_.capacity())));
  }
  if (rows > cell_.capacity()) cell_.reserve(std::max(rows, 2 * cell_.capacity()));
}

void GridOccupancy::swap_remove_row(Row row, Row last) {
  remove(row);
  if (row != last) {
    const CellIndex cell = cell_[last];
    cell_[row] = cell;
    if (cell != kNoCell) {
      if (mode_ == Occupancy::single) {
        words_[cell] = node_of(row);
      } else {  // node `last` becomes node `row`: the words naming it name the new node
        const Node from = node_of(last), to = node_of(row);
        const Node after = words_[next_word(from)];
        const Node named_at = words_[back_word(from)];
        words_[next_word(to)] = after;
        words_[back_word(to)] = named_at;
        words_[named_at] = to;
        words_[back_word(after)] = static_cast<Node>(next_word(to));  // the spare's, if last
      }
    }
  }
  cell_.pop_back();
  if (mode_ == Occupancy::multiple) {
    words_.pop_back();
    words_.pop_back();
  }
  row_charge_.remove_used(bytes_per_row());  // the storage stays
}

void GridOccupancy::permute_rows(std::span<const Row> order) {
  // New row i holds old row order[i]: every stored node (and every word index naming a node's
  // next word) is renamed through the inverse. Everything is allocated before anything changes.
  const std::size_t rows = order.size();
  std::vector<Node> renamed(rows + 1, kEnd);  // old node -> new node; the spare stays
  for (std::size_t i = 0; i < rows; ++i)
    renamed[node_of(order[i])] = node_of(static_cast<Row>(i));
  std::vector<CellIndex> cells(rows);
  std::vector<Node> words(words_.size(), kEnd);
  for (std::size_t i = 0; i < rows; ++i)
    cells[i] = cell_[order[i]];
  for (std::size_t c = 0; c < base_; ++c)
    words[c] = renamed[words_[c]];
  if (mode_ == Occupancy::multiple) {
    for (std::size_t i = 0; i < rows; ++i) {
      if (cells[i] == kNoCell) continue;  // an unplaced agent's node holds nothing
      const Node from = node_of(order[i]), to = node_of(static_cast<Row>(i));
      const Node named_at = words_[back_word(from)];
      words[next_word(to)] = renamed[words_[next_word(from)]];
      words[back_word(to)] = named_at < base_
                                 ? named_at  // its cell's word
                                 : static_cast<Node>(next_word(renamed[(named_at - base_) / 2]));
    }
  }
  cell_.swap(cells);
  words_.swap(words);
  sync_row_charge();  // cell_'s capacity is now its size
}

void GridOccupancy::save(engine::CheckpointWriter& out) const {
  // The format of separate heads, next and prev arrays of rows (kNoRow for none).
  const std::size_t rows = cell_.size();
  std::vector<Row> head(base_);
  for (std::size_t c = 0; c < base_; ++c)
    head[c] = row_of_node(words_[c]);
  out.put<std::uint64_t>(shape_.cells());
  out.put_vector(cell_);
  out.put_vector(head);
  out.put_vector(empty_);
  if (mode_ == Occupancy::multiple) {
    std::vector<Row> next(rows, kNoRow), prev(rows, kNoRow);
    for (std::size_t r = 0; r < rows; ++r) {
      if (cell_[r] == kNoCell) continue;
      const Node n = node_of(static_cast<Row>(r));
      const Node named_at = words_[back_word(n)];
      next[r] = row_of_node(words_[next_word(n)]);
      if (named_at >= base_) prev[r] = row_of_node(static_cast<Node>((named_at - base_) / 2));
    }
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
  std::vector<Node> words(cells, kEnd);  // the cells' words, then (multiple) the nodes'
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
    if (next_word(node_of(static_cast<Row>(rows))) + 2 > std::size_t{0xffffffffu})
      throw bad(std::to_string(rows) + " agents are more than a grid of " + std::to_string(cells) +
                " cells can list");
    words.resize(next_word(node_of(static_cast<Row>(rows))), kEnd);
    for (std::size_t r = 0; r < rows; ++r) {
      if (cell[r] == kNoCell) continue;
      const Node n = node_of(static_cast<Row>(r));
      words[next_word(n)] = node_of(next[r]);  // kNoRow -> kEnd
      words[back_word(n)] =
          prev[r] == kNoRow ? cell[r] : static_cast<Node>(next_word(node_of(prev[r])));
    }
  }
  for (std::size_t c = 0; c < cells; ++c)
    words[c] = node_of(head[c]);  // kNoRow -> kEnd
  cell_ = std::move(cell);
  words_ = std::move(words);
  empty_ = std::move(empty);
  if (track_empty_) empty_.reserve(cells);
  at_ = std::move(at);
  sync_row_charge();
}

}  // namespace cohort::space
