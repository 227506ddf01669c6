#pragma once
// Maps agent ids to dense rows and back: a sparse set in the manner of EnTT's, with the free list
// threaded through the dead sparse slots so the whole index costs 8 bytes per agent.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cohort/engine/agent_id.hpp"

namespace cohort::engine {

/// Row of a live agent in its population's columns.
using Row = std::uint32_t;

/// Id allocation and the id <-> row mapping of one population.
///
/// `sparse_[index]` is the row of the live agent with that index; for a dead index it holds the
/// next free index (low 24 bits) and the generation the index will carry when reused. `dense_[row]`
/// is the id at that row. Freed indices are reused first-in first-out, which spreads reuse over
/// all indices and so delays retirement.
class AgentIndex {
 public:
  static constexpr Row kNoRow = 0xffffffffu;

  /// Allocates an id for a new agent at row size() (the caller appends its columns).
  /// Throws std::length_error past AgentId::kMaxIndex live-or-retired indices.
  AgentId create();
  /// Removes the live agent `id` by moving the last row into its row; returns the row that was
  /// freed (the caller moves its columns the same way). `id` must be alive.
  Row destroy(AgentId id);

  /// Row of `id`, or kNoRow when it is not alive (never created, destroyed, or stale).
  Row row_of(AgentId id) const {
    const std::uint32_t index = id.index();
    if (index >= sparse_.size()) return kNoRow;
    const Row row = sparse_[index];
    return row < dense_.size() && dense_[row] == id ? row : kNoRow;
  }
  bool alive(AgentId id) const { return row_of(id) != kNoRow; }
  AgentId id_at(Row row) const { return dense_[row]; }
  std::span<const AgentId> ids() const { return dense_; }
  std::size_t size() const { return dense_.size(); }
  /// Indices whose generations ran out; they are never handed out again.
  std::size_t retired() const { return retired_; }

  void reserve(std::size_t agents);
  /// Bytes the index occupies (its share of the per-agent overhead).
  std::size_t capacity_bytes() const;

  /// The raw state, for checkpoints.
  struct State {
    std::vector<std::uint32_t> sparse;
    std::vector<AgentId> dense;
    std::uint32_t free_head;
    std::uint32_t free_tail;
    std::uint64_t retired;
  };
  State state() const { return {sparse_, dense_, free_head_, free_tail_, retired_}; }
  /// Restores a state from state(); throws std::invalid_argument if it is inconsistent.
  void restore(State state);

 private:
  static constexpr std::uint32_t kNoIndex = AgentId::kIndexMask;

  std::vector<std::uint32_t> sparse_;
  std::vector<AgentId> dense_;
  std::uint32_t free_head_ = kNoIndex;
  std::uint32_t free_tail_ = kNoIndex;
  std::uint64_t retired_ = 0;
};

}  // namespace cohort::engine
