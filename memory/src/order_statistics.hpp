#pragma once
// Order statistics of per-agent values read in place: a memory report must not itself take
// bytes per agent (a copy of 1M agents' values for nth_element was 8 B per atom of a 1M-atom
// LJ run's peak). Hand-written: Boost and the standard library select only in a copy.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace cohort::memory::detail {

/// The k-th smallest (0-based) of value(0) ... value(n - 1), k < n, for 32-bit values: two
/// passes of a radix select over 16-bit digits, with one 65,536-entry count table.
template <class ValueOf>
std::uint32_t kth_smallest(std::size_t n, std::size_t k, ValueOf&& value) {
  constexpr std::size_t kDigits = std::size_t{1} << 16;
  const auto counts = std::make_unique<std::array<std::size_t, kDigits>>();
  std::uint32_t high = 0;
  for (int pass = 0; pass < 2; ++pass) {
    counts->fill(0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t v = value(i);
      if (pass == 0)
        ++(*counts)[v >> 16];
      else if ((v >> 16) == high)
        ++(*counts)[v & 0xffffu];
    }
    std::uint32_t digit = 0;
    while (k >= (*counts)[digit])  // the digit holding the k-th; k counts within it after
      k -= (*counts)[digit++];
    if (pass == 0)
      high = digit;
    else
      return (high << 16) | digit;
  }
  return 0;  // not reached
}

/// The `top` indices in [0, n) that rank first by `before` (a strict order), best first,
/// kept in a heap of `top` entries rather than in a sort of all n.
template <class Before>
std::vector<std::uint32_t> first_ranked(std::size_t n, std::size_t top, Before&& before) {
  std::vector<std::uint32_t> kept;
  if (top == 0) return kept;
  kept.reserve(std::min(n, top));
  // With `before` as the heap's order, its front is the last-ranked index kept.
  for (std::size_t i = 0; i < n; ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    if (kept.size() < top) {
      kept.push_back(index);
      std::push_heap(kept.begin(), kept.end(), before);
    } else if (before(index, kept.front())) {
      std::pop_heap(kept.begin(), kept.end(), before);
      kept.back() = index;
      std::push_heap(kept.begin(), kept.end(), before);
    }
  }
  std::sort_heap(kept.begin(), kept.end(), before);
  return kept;
}

}  // namespace cohort::memory::detail
