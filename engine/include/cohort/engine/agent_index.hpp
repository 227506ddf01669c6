#pragma once
// Maps agent handles to dense rows and back: a sparse set in the manner of EnTT's, with the free
// list threaded through the dead sparse slots.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/memory/agent_ledger.hpp"
#include "cohort/memory/huge_pages.hpp"

namespace cohort::engine {

/// Row of a live agent in its population's columns: the very row its memory ledger is kept at
/// (one type, so the engine's rows and the accountant's cannot drift apart).
using Row = memory::AgentRow;

/// Handle allocation and the handle <-> row mapping of one population (12 bytes per agent).
///
/// Per slot (a handle's index), two 4-byte arrays: `link_[index]` is a live slot's row, or a dead
/// slot's next free index; `generation_[index]` is a live slot's generation, or the one a dead
/// slot carries when reused. `dense_[row]` is the slot index of the agent at that row. A
/// permutation gathers `dense_` for every row and scatters new rows into `link_`: 4 bytes each,
/// not whole handles or (row, generation) pairs, because those random accesses are most of its
/// time (the generations stay put). Freed slots are reused last-in first-out, as EnTT's are: a
/// birth after a death takes the slot the death just touched, still in the cache (first-in
/// first-out took the oldest free slot, a cache miss on every birth: most of create()'s time in
/// WolfSheep). A slot retires after 2^32 reuses either way.
class AgentIndex {
 public:
  static constexpr Row kNoRow = 0xffffffffu;
  /// A slot's link and generation (4 B each) and a row's slot index (4 B).
  static constexpr std::size_t kBytesPerAgent = 3 * sizeof(std::uint32_t);

  /// Allocates a handle for a new agent at row size() (the caller appends its columns).
  /// Throws std::length_error past AgentId::kMaxIndex live-or-retired slots.
  AgentId create();
  /// Removes the live agent `id` by moving the last row into its row; returns the row that was
  /// freed (the caller moves its columns the same way). `id` must be alive.
  Row destroy(AgentId id);
  /// Whether the next create() reuses a free slot without allocating (its arrays keep their
  /// capacity).
  bool has_room() const { return free_head_ != kNoIndex && dense_.size() < dense_.capacity(); }
  /// As destroy(), for the agent at `row` (< size()).
  void destroy_at(Row row) { release(dense_[row], row); }
  /// Reorders rows: new row i holds the agent that was at row order[i]. `order` must be a
  /// permutation of [0, size()); `scratch` holds size() slot indices (see
  /// memory::permute_rows_through).
  void permute(std::span<const Row> order, void* scratch);
  /// The first half of a checked permute(), for an `order` of size() rows: writes the reordered
  /// slot indices to `gathered` (size() of them) while checking that `order` is a permutation of
  /// [0, size()), and changes nothing. Returns kNoRow, or a row that `order` names twice or that
  /// is out of range. The check rides on the gather's cache misses, so it costs little beside it.
  Row gather_checked(std::span<const Row> order, std::uint32_t* gathered) const;
  /// The second half: the slot indices from gather_checked (a reordering of the live ones)
  /// become the rows, and each slot points at its new row.
  void adopt(const std::uint32_t* gathered);

  /// Row of `id`, or kNoRow when it is not alive (never created, destroyed, or stale).
  Row row_of(AgentId id) const {
    const std::uint32_t index = id.index();
    if (index >= link_.size()) return kNoRow;
    const Row row = link_[index];
    // A dead slot holds its next free index and a generation no live handle has, and no row
    // names it: the generation and the row's slot must both match.
    return generation_[index] == id.generation() && row < dense_.size() && dense_[row] == index
               ? row
               : kNoRow;
  }
  bool alive(AgentId id) const { return row_of(id) != kNoRow; }
  AgentId id_at(Row row) const {
    const std::uint32_t index = dense_[row];
    return AgentId(index, generation_[index]);
  }
  std::size_t size() const { return dense_.size(); }
  /// Handle slots ever handed out (live, free or retired): every id's index is below it.
  std::size_t slot_count() const { return link_.size(); }
  /// Slots whose generations ran out; they are never handed out again.
  std::size_t retired() const { return retired_; }

  void reserve(std::size_t agents);
  /// Bytes the index occupies (its share of the per-agent overhead).
  std::size_t capacity_bytes() const {
    return (link_.capacity() + generation_.capacity() + dense_.capacity()) * sizeof(std::uint32_t);
  }

  /// The whole state, for checkpoints (plain numbers, no addresses). `sparse[index]` is a live
  /// slot's row (its generation is in `dense`), or a dead slot's next free index (low 32 bits)
  /// and the generation it carries when reused (high 32 bits).
  struct State {
    std::vector<std::uint64_t> sparse;
    std::vector<AgentId> dense;
    std::uint32_t free_head;
    std::uint32_t free_tail;
    std::uint64_t retired;
  };
  State state() const;
  /// Restores a state from state(). Throws std::invalid_argument naming the first inconsistency
  /// (a row or free slot out of range, a broken or cyclic free list, wrong counts).
  void restore(State state);

 private:
  static constexpr std::uint32_t kNoIndex = AgentId::kNoIndex;

  /// Frees slot `index`, live at `row`: the last row moves into `row`.
  void release(std::uint32_t index, Row row);
  /// create() for a fresh slot (no free one), or when `dense_` is full: the rare path, out of
  /// line so the reuse of a free slot saves no registers.
  [[gnu::noinline]] AgentId create_slow();

  memory::RowArray<Row> link_;
  memory::RowArray<std::uint32_t> generation_;
  memory::RowArray<std::uint32_t> dense_;
  std::uint32_t free_head_ = kNoIndex;
  std::uint32_t free_tail_ = kNoIndex;
  std::uint64_t retired_ = 0;
};

}  // namespace cohort::engine
