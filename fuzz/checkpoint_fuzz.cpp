// Fuzzes checkpoint reading for every built-in model: the input's first byte picks a model (a
// tiny run from fuzz/checkpoint_configs/), the rest is a checkpoint payload, which is wrapped in a
// valid header and CRC (so mutations reach the reader, not only the checksum) and resumed. A
// CheckpointError (or a ConfigError: a step past the run's end) is the expected answer to a bad
// payload; any other exception, a crash, a leak or a hang is a finding.
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "support/builtin_registry.hpp"

namespace {

namespace fs = std::filesystem;
using cohort::testing::builtin_registry;

// In the order of the seeds' first byte (fuzz/make_checkpoint_seeds.sh).
constexpr std::array<const char*, 8> kModels = {"random_walk", "belief_agents", "gene_network",
                                                "forest_fire", "schelling",     "wolf_sheep",
                                                "flocking",    "lj_melt"};

// Each model's settings, read once per fuzzing process.
const cohort::engine::RunSettings& settings_of(std::size_t model) {
  static std::array<std::unique_ptr<cohort::engine::RunSettings>, kModels.size()> cache;
  if (!cache[model]) {
    const fs::path config =
        fs::path(COHORT_FUZZ_CONFIG_DIR) / (std::string(kModels[model]) + ".yaml");
    cohort::engine::RunSettings s = cohort::engine::load_run_settings(builtin_registry(), config);
    s.out_dir =
        fs::temp_directory_path() / ("cohort_fuzz_checkpoint_" + std::to_string(::getpid()));
    cache[model] = std::make_unique<cohort::engine::RunSettings>(std::move(s));
  }
  return *cache[model];
}

const fs::path& checkpoint_file() {
  static const fs::path file = fs::temp_directory_path() /
                               ("cohort_fuzz_checkpoint_" + std::to_string(::getpid()) + ".cohort");
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t model = data[0] % kModels.size();
  cohort::engine::CheckpointWriter payload;
  payload.put_bytes(data + 1, size - 1);
  cohort::engine::write_checkpoint_file(checkpoint_file(), payload);
  cohort::engine::Simulation sim(builtin_registry(), settings_of(model));
  try {
    sim.resume(checkpoint_file());
  } catch (const cohort::engine::CheckpointError&) {
  } catch (const cohort::engine::ConfigError&) {
  }
  return 0;
}
