#pragma once
// `cohort memory-demo`: exercises the memory layer on a synthetic population and prints the
// memory report. Stands in for the main job until the engine exists.

#include <cstdint>
#include <filesystem>

namespace cohort::cli {

struct MemoryDemoOptions {
  std::uint32_t agents = 10000;
  std::uint32_t steps = 50;
  std::uint32_t budget_bytes = 4096;
  std::uint64_t seed = 42;
  std::filesystem::path json_out = "out/memory_demo/memory_report.json";
};

/// Runs the demo; returns the process exit code.
int run_memory_demo(const MemoryDemoOptions& options);

}  // namespace cohort::cli
