#pragma once
// The subcommands of `cohort`: run, validate, models. Each returns an exit code.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohort/engine/model.hpp"

namespace cohort::cli {

/// Options of `cohort run` and `cohort validate`.
struct RunOptions {
  std::string config;
  // Kept as typed so the schema alone checks them: "--threads -1" is reported as -1, and the
  // range of --seed is the schema's.
  std::optional<std::string> steps;
  std::optional<std::string> threads;
  std::optional<std::string> seed;
  std::optional<std::string> out;
  std::vector<std::string> set;  ///< "key.path=value" overrides
  std::optional<std::string> resume;
  bool quiet = false;
  bool fail_on_leak = false;  ///< a detected leak exits kLeakDetected
  std::string profiles;       ///< profile store ("" = the default under the XDG cache directory)
  std::string name;           ///< run name in the profile ("" = the config file's stem)
  bool no_profile = false;    ///< do not record a profile
};

int run_command(const engine::ModelRegistry& registry, const RunOptions& options);
int validate_command(const engine::ModelRegistry& registry, const RunOptions& options);
/// Prints every model (or only `name`, exit 2 if there is none) with its parameters.
int models_command(const engine::ModelRegistry& registry, const std::string& name = {});

}  // namespace cohort::cli
