#pragma once
// Maps agent handles to dense rows and back: a sparse set in the manner of EnTT's, with the free
// list threaded through the dead sparse slots.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/memory/agent_ledger.hpp"

namespace cohort::engine {

/// Row of a live agent in its population's columns: the very row its memory ledger is kept at
/// (one type, so the engine's rows and the accountant's cannot drift apart).
using Row = memory::AgentRow;

/// Handle allocation and the handle <-> row mapping of one population (16 bytes per agent).
///
/// `sparse_[index]` packs, for a live slot, the agent's row (low 32 bits); for a dead slot, the
/// next free index (low 32 bits) and the generation the slot carries when reused (high 32 bits).
/// `dense_[row]` is the handle at that row. Freed slots are reused first-in first-out, which
/// spreads reuse over all slots and so delays retirement.
class AgentIndex {
 public:
  static constexpr Row kNoRow = 0xffffffffu;

  /// Allocates a handle for a new agent at row size() (the caller appends its columns).
  /// Throws std::length_error past AgentId::kMaxIndex live-or-retired slots.
  AgentId create();
  /// Removes the live agent `id` by moving the last row into its row; returns the row that was
  /// freed (the caller moves its columns the same way). `id` must be alive.
  Row destroy(AgentId id);
  /// Reorders rows: new row i holds the agent that was at row order[i]. `order` must be a
  /// permutation of [0, size()); `scratch` holds size() ids (see memory::permute_rows_through).
  void permute(std::span<const Row> order, void* scratch);
  /// The first half of a checked permute(), for an `order` of size() rows: writes the reordered
  /// handles to `gathered` (size() ids) while checking that `order` is a permutation of [0,
  /// size()), and changes nothing. Returns kNoRow, or a row that `order` names twice or that is out
  /// of range. The check rides on the gather's cache misses, so it costs little beside it.
  Row gather_checked(std::span<const Row> order, AgentId* gathered) const;
  /// The second half: the handles from gather_checked (or any reordering of the live ones)
  /// become the rows, and each slot points at its new row.
  void adopt(const AgentId* gathered);

  /// Row of `id`, or kNoRow when it is not alive (never created, destroyed, or stale).
  Row row_of(AgentId id) const {
    const std::uint32_t index = id.index();
    if (index >= sparse_.size()) return kNoRow;
    const auto row = static_cast<Row>(sparse_[index]);
    return row < dense_.size() && dense_[row] == id ? row : kNoRow;
  }
  bool alive(AgentId id) const { return row_of(id) != kNoRow; }
  AgentId id_at(Row row) const { return dense_[row]; }
  std::span<const AgentId> ids() const { return dense_; }
  std::size_t size() const { return dense_.size(); }
  /// Handle slots ever handed out (live, free or retired): every id's index is below it.
  std::size_t slot_count() const { return sparse_.size(); }
  /// Slots whose generations ran out; they are never handed out again.
  std::size_t retired() const { return retired_; }

  void reserve(std::size_t agents);
  /// Bytes the index occupies (its share of the per-agent overhead).
  std::size_t capacity_bytes() const {
    return sparse_.capacity() * sizeof(std::uint64_t) + dense_.capacity() * sizeof(AgentId);
  }

  /// The whole state, for checkpoints (plain numbers, no addresses).
  struct State {
    std::vector<std::uint64_t> sparse;
    std::vector<AgentId> dense;
    std::uint32_t free_head;
    std::uint32_t free_tail;
    std::uint64_t retired;
  };
  State state() const { return {sparse_, dense_, free_head_, free_tail_, retired_}; }
  /// Restores a state from state(). Throws std::invalid_argument naming the first inconsistency
  /// (a row or free slot out of range, a broken or cyclic free list, wrong counts).
  void restore(State state);

 private:
  static constexpr std::uint32_t kNoIndex = AgentId::kNoIndex;

  std::vector<std::uint64_t> sparse_;
  std::vector<AgentId> dense_;
  std::uint32_t free_head_ = kNoIndex;
  std::uint32_t free_tail_ = kNoIndex;
  std::uint64_t retired_ = 0;
};

}  // namespace cohort::engine
