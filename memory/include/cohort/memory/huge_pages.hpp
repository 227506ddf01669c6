#pragma once
// Transparent huge pages for the arrays of large populations.
//
// A re-sort or a neighbour gather reads rows in a near-random order. Over arrays of many MiB with
// 4 KiB pages nearly every such read also misses the TLB (its second level covers 12 MiB); with
// 2 MiB pages a million agents' columns need a few dozen entries. Debian's kernels give huge pages
// only where asked (transparent_hugepage=madvise), so large arrays ask.

#include <cstddef>
#include <new>
#include <vector>

namespace cohort::memory {

/// The huge page size this advice aims at (x86-64 and arm64 with 4 KiB base pages).
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
/// Arrays from this size on are aligned to kHugePageBytes and advised. Below it the rounding
/// would waste more than the TLB saves.
inline constexpr std::size_t kHugePageMinBytes = std::size_t{4} << 20;

/// Asks the kernel to back the whole huge pages inside [p, p + bytes) with huge pages (Linux's
/// madvise(MADV_HUGEPAGE)); a no-op elsewhere, below kHugePageMinBytes, or where it is refused.
/// The advice changes only how pages are backed, never what they hold.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

/// The alignment an array of `bytes` is allocated with when it wants huge pages.
constexpr std::size_t huge_page_alignment(std::size_t bytes, std::size_t alignment) {
  return bytes >= kHugePageMinBytes && alignment < kHugePageBytes ? kHugePageBytes : alignment;
}

/// std::allocator that aligns and advises large arrays for huge pages (advise_huge_pages).
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  constexpr HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    const std::align_val_t align{huge_page_alignment(bytes, alignof(T))};
    void* p = ::operator new(bytes, align);
    advise_huge_pages(p, bytes);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    ::operator delete (p, std::align_val_t{huge_page_alignment(n * sizeof(T), alignof(T))});
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

/// A per-row array of a population (ids, uids, ledger words, scratch): huge pages when large.
template <class T>
using RowArray = std::vector<T, HugePageAllocator<T>>;

}  // namespace cohort::memory
