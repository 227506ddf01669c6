#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "cohort/memory/process_memory.hpp"

using cohort::memory::map_large_blocks_separately;

// The sanitizers replace malloc, and theirs ignores mallopt.
#ifndef COHORT_SANITIZED
namespace {

using cohort::memory::ProcessMemory;

constexpr std::size_t kMiB = std::size_t{1} << 20;

// A block of `bytes` with every page written (resident), which the optimiser cannot drop.
char* resident_block(std::size_t bytes) {
  auto* p = static_cast<char*>(std::malloc(bytes));
  REQUIRE(p != nullptr);
  std::memset(p, 1, bytes);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

}  // namespace

TEST_CASE("a freed large block leaves the RSS once large blocks are mapped separately") {
  REQUIRE(map_large_blocks_separately(4 * kMiB));
  // Without the setting, freeing the first block raises glibc's threshold to 24 MiB, the second
  // block then comes from the heap, and freeing it leaves its 20 MiB resident.
  std::free(resident_block(24 * kMiB));
  char* second = resident_block(20 * kMiB);
  const std::uint64_t held = ProcessMemory::current_rss();
  std::free(second);
  const std::uint64_t after = ProcessMemory::current_rss();
  CHECK(held >= after + 16 * kMiB);
}
#endif

TEST_CASE("the large-block threshold is refused beyond what the C library can take") {
  CHECK_FALSE(map_large_blocks_separately(std::size_t{1} << 40));
}
