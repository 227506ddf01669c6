#include "belief_store.hpp"

#include <algorithm>
#include <cstring>

#include "cohort/memory/out_of_memory.hpp"

namespace cohort::models::belief {

std::size_t BeliefStore::bytes_for(std::size_t nnz, bool& dense, std::size_t& capacity) const {
  dense = false;
  capacity = 0;
  if (nnz <= 1) return 0;
  const std::size_t dense_bytes = states * sizeof(double);
  // Room for growth in steps of 4 entries, so a belief whose support wobbles keeps its chunk;
  // never past the dense size.
  for (const std::size_t cap : {(nnz + 3) / 4 * 4, nnz})
    if (cap <= 0xffff && sparse_bytes(cap) < dense_bytes) {
      capacity = cap;
      return sparse_bytes(cap);
    }
  dense = true;
  return dense_bytes;
}

memory::ChargeStatus BeliefStore::store(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                                        memory::AgentRow row, BeliefRef& ref,
                                        const SparseVec& v) const {
  bool dense = false;
  std::size_t capacity = 0;
  const std::size_t need = bytes_for(v.size(), dense, capacity);
  // Keep the chunk if it has room and is not more than twice what is needed.
  const bool reuse = ref.data != nullptr && need > 0 && dense == (ref.dense != 0) &&
                     (dense || (v.size() <= ref.capacity && ref.capacity <= 2 * capacity + 4));
  if (!reuse) {
    release(ctx, pop, row, ref);  // free first: the new chunk must fit next to the rest only
    if (need > 0) {
      const memory::AllocResult r = ctx.allocate(pop, row, tag, need);
      memory::throw_if_out_of_memory(ctx, r);  // ref stays released
      if (!r) {
        ref.nnz = 1;  // a point mass on the mode needs no memory
        ref.point = v.index[static_cast<std::size_t>(
            std::max_element(v.value.begin(), v.value.end()) - v.value.begin())];
        return r.status;
      }
      ref.data = r.ptr;
      ref.bytes = static_cast<std::uint32_t>(need);
      ref.dense = dense ? 1 : 0;
      ref.capacity = static_cast<std::uint16_t>(capacity);
    }
  }
  ref.nnz = static_cast<std::uint32_t>(v.size());
  if (v.size() == 1) {
    ref.point = v.index[0];
  } else if (ref.dense) {
    auto* d = static_cast<double*>(ref.data);
    std::fill_n(d, states, 0.0);
    for (std::size_t k = 0; k < v.size(); ++k)
      d[v.index[k]] = v.value[k];
  } else if (v.size() > 1) {
    auto* d = static_cast<double*>(ref.data);
    std::memcpy(d, v.value.data(), v.size() * sizeof(double));
    std::memcpy(d + ref.capacity, v.index.data(), v.size() * sizeof(std::uint32_t));
  }
  return memory::ChargeStatus::ok;
}

void BeliefStore::load(const BeliefRef& ref, SparseVec& out) const {
  out.clear();
  if (ref.nnz == 0) return;
  if (ref.nnz == 1) {
    out.index.push_back(ref.point);
    out.value.push_back(1.0);
    return;
  }
  const auto* d = static_cast<const double*>(ref.data);
  if (ref.dense) {
    for (std::size_t s = 0; s < states; ++s)
      if (d[s] > 0) {
        out.index.push_back(static_cast<std::uint32_t>(s));
        out.value.push_back(d[s]);
      }
    return;
  }
  const auto* idx = reinterpret_cast<const std::uint32_t*>(d + ref.capacity);
  out.index.assign(idx, idx + ref.nnz);
  out.value.assign(d, d + ref.nnz);
}

void BeliefStore::release(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                          memory::AgentRow row, BeliefRef& ref) const {
  if (ref.data != nullptr) ctx.deallocate(pop, row, tag, ref.data, ref.bytes);
  ref.data = nullptr;
  ref.bytes = 0;
  ref.capacity = 0;
  ref.dense = 0;
  ref.nnz = 0;
}

}  // namespace cohort::models::belief
