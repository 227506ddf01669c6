#pragma once
// An agent's belief in pooled memory. Sparse (values then indices) while that is smaller than the
// dense vector, dense otherwise, so a belief never takes more than 8 * S bytes plus the fixed
// BeliefRef in its column. A point mass needs no chunk at all (its state lives in the ref).

#include <cstddef>
#include <cstdint>

#include "cohort/memory/charge_context.hpp"
#include "sparse_kernels.hpp"

namespace cohort::models::belief {

/// Per-agent component: where the belief is (24 bytes).
struct BeliefRef {
  void* data = nullptr;        ///< pooled chunk: dense S doubles, or cap doubles then cap indices
  std::uint32_t bytes = 0;     ///< bytes requested for `data` (what the ledger was charged)
  std::uint32_t nnz = 0;       ///< entries held (non-zeros; S when dense)
  std::uint32_t point = 0;     ///< the state of a point mass (nnz == 1, no chunk)
  std::uint8_t dense = 0;      ///< 1: data is S doubles
  std::uint8_t level = 0;      ///< prune level: epsilon = prune_epsilon * prune_step^level
  std::uint16_t capacity = 0;  ///< sparse entries `data` has room for (0 when dense or point)
};

/// Bytes a sparse belief of `capacity` entries takes.
constexpr std::size_t sparse_bytes(std::size_t capacity) {
  return capacity * (sizeof(double) + sizeof(std::uint32_t));
}

/// Storing, loading and freeing beliefs of one population; `tag` is `beliefs`.
struct BeliefStore {
  memory::TagId tag = 0;
  std::size_t states = 0;

  /// Stores `v` (sorted, pruned, normalised) in `ref`, reusing its chunk when the size fits.
  /// Returns refused (nothing changed but the old chunk may have been freed: the belief is then
  /// a point mass on v's mode) when the budget refuses the chunk.
  memory::ChargeStatus store(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                             memory::AgentRow row, BeliefRef& ref, const SparseVec& v) const;
  /// The belief as sorted pairs.
  void load(const BeliefRef& ref, SparseVec& out) const;
  /// Frees the chunk (the belief becomes empty).
  void release(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
               BeliefRef& ref) const;
  /// Bytes the representation of `nnz` entries takes (0 for a point mass), never above 8 * S.
  std::size_t bytes_for(std::size_t nnz, bool& dense, std::size_t& capacity) const;
};

}  // namespace cohort::models::belief
