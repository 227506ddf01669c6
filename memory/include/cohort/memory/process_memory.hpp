#pragma once
// The process's real memory, read from /proc, to check the accountant against.

#include <cstddef>
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

/// Gives every heap block of at least `bytes` its own mapping, returned to the system when it
/// is freed, so that the process's RSS follows the bytes the accountant sees. glibc otherwise
/// raises that threshold to the largest block freed so far (up to 32 MiB) and serves later
/// blocks of up to that size from its heap, where freed memory stays resident: at 1M LJ atoms
/// the setup's freed temporaries kept 26 B per atom in the RSS. Process-wide, so for programs
/// (cohort's command line sets it first thing), not for a library behind its host's back.
/// Returns false where it cannot be set (a C library other than glibc).
bool map_large_blocks_separately(std::size_t bytes = std::size_t{4} << 20);

}  // namespace cohort::memory
