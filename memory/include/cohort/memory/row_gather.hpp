#pragma once
// The gather every per-row store does when a population reorders its rows.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace cohort::memory {

/// How many rows ahead a gather prefetches: enough loads in flight to cover a miss to memory.
inline constexpr std::size_t kGatherAhead = 128;

/// dst[i] = src[order[i]] for every i, prefetching ahead: a re-sort's order is close to random,
/// so the loop is bound by the latency of the source loads, which prefetching overlaps.
template <class T, class Index>
void gather_rows(T* __restrict dst, const T* __restrict src, std::span<const Index> order) {
  constexpr std::size_t kAhead = kGatherAhead;
  const std::size_t n = order.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(src + order[i + kAhead]);
    dst[i] = src[order[i]];
  }
}

/// data[i] = (old) data[order[i]] for every i, through `scratch` (room for order.size() values,
/// suitably aligned), which the caller keeps between permutations: a fresh buffer per store would
/// page-fault its whole size on every re-sort, which costs as much as the gather itself.
template <class T, class Index>
void permute_rows_through(T* data, std::span<const Index> order, void* scratch) {
  T* gathered = static_cast<T*>(scratch);
  gather_rows(gathered, data, order);
  std::memcpy(data, gathered, order.size() * sizeof(T));
}

}  // namespace cohort::memory
