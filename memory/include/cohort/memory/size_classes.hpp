#pragma once
// Size classes of the pooled allocator: which chunk size serves a request of n bytes.
//
// Classes are multiples of 16 up to 256 bytes, then four classes per doubling up to 4096
// (320, 384, 448, 512, 640, ... 4096). A request is rounded up to the smallest class that holds
// it, so rounding wastes at most 15 bytes below 256 and at most 25% above. Requests larger than
// 4096 bytes bypass the pools and go to the system allocator (held == requested for those).
// Budgets are charged in requested bytes, so this rounding never changes whether an allocation
// fits a budget; it shows up only as `held - used` in the memory report.

#include <array>
#include <cstddef>
#include <cstdint>

namespace cohort::memory {

/// Index of a size class; `kLargeClass` marks a request served by the system allocator.
using SizeClass = std::uint8_t;

/// The size-class table and the lookup from request size to class.
class SizeClasses {
 public:
  static constexpr std::size_t kCount = 32;
  static constexpr std::size_t kMaxPooledBytes = 4096;
  static constexpr SizeClass kLargeClass = 0xff;

  /// Chunk size of class `c` (c < kCount).
  static constexpr std::size_t chunk_bytes(SizeClass c) { return kChunkBytes[c]; }

  /// Class that serves a request of `bytes`, or kLargeClass above kMaxPooledBytes.
  /// A zero-byte request is served by the smallest class, like malloc(0) returning a unique
  /// pointer.
  static constexpr SizeClass of(std::size_t bytes) {
    if (bytes > kMaxPooledBytes) return kLargeClass;
    return kLookup[step_of(bytes)];
  }

  /// Number of 16-byte steps a lookup table indexed by step_of() needs.
  static constexpr std::size_t kSteps = kMaxPooledBytes / 16 + 1;
  /// Index of the 16-byte step holding `bytes` (bytes <= kMaxPooledBytes): every request of one
  /// step has the same class.
  static constexpr std::size_t step_of(std::size_t bytes) { return (bytes + 15) >> 4; }

  /// Bytes actually held for a request of `bytes` (the chunk size, or `bytes` when large).
  static constexpr std::size_t held_for(std::size_t bytes) {
    const SizeClass c = of(bytes);
    return c == kLargeClass ? bytes : kChunkBytes[c];
  }

 private:
  static constexpr std::array<std::size_t, kCount> kChunkBytes = [] {
    std::array<std::size_t, kCount> sizes{};
    std::size_t i = 0;
    for (std::size_t s = 16; s <= 256; s += 16)
      sizes[i++] = s;
    for (std::size_t base = 256; base < kMaxPooledBytes; base *= 2)
      for (std::size_t q = 1; q <= 4; ++q)
        sizes[i++] = base + q * base / 4;
    return sizes;
  }();

  // kLookup[k] = class for requests of (k-1)*16+1 .. k*16 bytes; one byte per 16-byte step.
  static constexpr std::array<SizeClass, kSteps> kLookup = [] {
    std::array<SizeClass, kSteps> table{};
    SizeClass c = 0;
    for (std::size_t k = 0; k < table.size(); ++k) {
      while (kChunkBytes[c] < k * 16)
        ++c;
      table[k] = c;
    }
    return table;
  }();
};

static_assert(SizeClasses::chunk_bytes(SizeClasses::kCount - 1) == SizeClasses::kMaxPooledBytes);
static_assert(SizeClasses::held_for(0) == 16 && SizeClasses::held_for(17) == 32);
static_assert(SizeClasses::held_for(257) == 320 && SizeClasses::held_for(4096) == 4096);
static_assert(SizeClasses::held_for(600) == 640 && SizeClasses::held_for(4097) == 4097);

}  // namespace cohort::memory
