// Fuzzes `--set key.path=value` overrides: each input line is one assignment, applied in order to
// a valid gene_network config (the model with the deepest schema), then validated. A ConfigError
// is the expected answer; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <yaml-cpp/yaml.h>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/run_settings.hpp"
#include "support/builtin_registry.hpp"

namespace {

constexpr const char* kBase =
    "model: gene_network\nseed: 1\nsteps: 3\npopulations: {individuals: {size: 20}}\n"
    "parameters:\n  genes: 4\n  network: {explicit: {edges: [{source: 0, target: 1, weight: 1}]}}\n"
    "  conditions: {schedule: [{generation: 1, tf_concentration: 0.5}]}\n"
    "  fitness: {multi_objective: {weights: [1, 1, 1, 1]}}\n";

using cohort::testing::builtin_registry;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cohort::engine;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
  try {
    YAML::Node doc = YAML::Load(kBase);
    ConfigOverrides applied;
    for (std::string line; std::getline(lines, line);)
      apply_override(doc, line, applied);
    const std::string name = read_model_name(doc, "base.yaml", applied);
    const ModelInfo* model = builtin_registry().find(name);
    if (model == nullptr) return 0;
    const ConfigValue root = validate(doc, run_schema(*model), "base.yaml", applied);
    (void)root.to_yaml();
  } catch (const ConfigError&) {
  }
  return 0;
}
