// Fuzzes a config file through everything `cohort validate` does: YAML parsing, the model name,
// validation against the composed schema, and the models' own checks. A ConfigError is the
// expected answer to bad input; any other exception, a crash, a leak or a hang is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/run_settings.hpp"
#include "support/builtin_registry.hpp"

namespace {

using cohort::testing::builtin_registry;

// The config is read from a file, as `cohort validate` reads it; one per fuzzing process.
const std::filesystem::path& config_file() {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("cohort_fuzz_config_" + std::to_string(::getpid()) + ".yaml");
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(config_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)cohort::engine::load_run_settings(builtin_registry(), config_file());
  } catch (const cohort::engine::ConfigError&) {
  }
  return 0;
}
