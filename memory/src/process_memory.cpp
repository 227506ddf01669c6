#include "cohort/memory/process_memory.hpp"

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdio>
#include <cstring>
#include <limits>

namespace cohort::memory {

std::uint64_t ProcessMemory::current_rss() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

bool map_large_blocks_separately(std::size_t bytes) {
#if defined(__GLIBC__)
  // Setting the threshold also turns off glibc's dynamic raising of it (and of the trim
  // threshold), which is the point.
  return bytes <= static_cast<std::size_t>(std::numeric_limits<int>::max()) &&
         mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes)) == 1;
#else
  (void)bytes;
  return false;
#endif
}

std::uint64_t ProcessMemory::physical() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

ProcessMemory ProcessMemory::read() {
  ProcessMemory m;
  m.rss = current_rss();
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return m;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long kib = 0;
    if (std::strncmp(line, "VmHWM:", 6) == 0 && std::sscanf(line + 6, "%llu", &kib) == 1) {
      m.peak_rss = kib * 1024;
      break;
    }
  }
  std::fclose(f);
  return m;
}

}  // namespace cohort::memory
