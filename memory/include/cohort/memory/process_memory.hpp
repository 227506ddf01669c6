#pragma once
// The process's real memory, read from /proc, to check the accountant against.

#include <cstdint>

namespace cohort::memory {

/// Resident set size now and at its peak, in bytes.
struct ProcessMemory {
  std::uint64_t rss = 0;       ///< current RSS (/proc/self/statm, resident pages)
  std::uint64_t peak_rss = 0;  ///< peak RSS (VmHWM in /proc/self/status)

  /// Reads both values; fields are 0 where /proc cannot be read (not Linux).
  static ProcessMemory read();
  /// Reads only the current RSS: one small read of /proc/self/statm, cheap enough to sample.
  static std::uint64_t current_rss();
  /// The machine's physical memory in bytes (0 if unknown): what a run's estimate must fit in.
  static std::uint64_t physical();
};

}  // namespace cohort::memory
