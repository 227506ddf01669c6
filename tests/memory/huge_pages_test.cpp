#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

#include "cohort/memory/huge_pages.hpp"

using cohort::memory::kHugePageBytes;
using cohort::memory::RowArray;

namespace {

// The VmFlags line of the mapping that holds `p`, from /proc/self/smaps ("" when not found).
std::string vm_flags_at(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line + " ";
  }
  return "";
}

bool kernel_has_huge_pages() {
  return std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled");
}

}  // namespace

TEST_CASE("large row arrays are aligned to huge pages and advised for them, small ones are not") {
  RowArray<std::uint64_t> large(std::size_t{1} << 20);  // 8 MiB
  std::iota(large.begin(), large.end(), std::uint64_t{0});
  CHECK(reinterpret_cast<std::uintptr_t>(large.data()) % kHugePageBytes == 0);
  // The values are the array's as written: the advice changes only how pages are backed.
  CHECK(large[12345] == 12345);
  CHECK(large.back() == (std::uint64_t{1} << 20) - 1);
  RowArray<std::uint64_t> small(1000);
  if (kernel_has_huge_pages()) {
    // "hg": the mapping carries MADV_HUGEPAGE.
    CHECK(vm_flags_at(large.data() + large.size() / 2).find(" hg ") != std::string::npos);
    CHECK(vm_flags_at(small.data()).find(" hg ") == std::string::npos);
  }
  // Growth goes through the same allocator: the grown array is aligned and advised too.
  large.resize(large.size() * 2, 7);
  CHECK(reinterpret_cast<std::uintptr_t>(large.data()) % kHugePageBytes == 0);
  CHECK(large[(std::size_t{1} << 20) - 1] == (std::uint64_t{1} << 20) - 1);
  CHECK(large.back() == 7);
  if (kernel_has_huge_pages())
    CHECK(vm_flags_at(large.data() + large.size() / 2).find(" hg ") != std::string::npos);
}
