#pragma once
// The gather every per-row store does when a population reorders its rows.

#include <cstddef>
#include <cstdint>
#include <span>

namespace cohort::memory {

/// dst[i] = src[order[i]] for every i, prefetching ahead: a re-sort's order is close to random,
/// so the loop is bound by the latency of the source loads, which prefetching overlaps.
template <class T, class Index>
void gather_rows(T* __restrict dst, const T* __restrict src, std::span<const Index> order) {
  constexpr std::size_t kAhead = 16;
  const std::size_t n = order.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(src + order[i + kAhead]);
    dst[i] = src[order[i]];
  }
}

}  // namespace cohort::memory
