#pragma once
// Loads plugin libraries (`--plugin`, `plugins:` in a config) into a model registry.

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "cohort/engine/model.hpp"

namespace cohort::cli {

/// A plugin that cannot be used: missing, not a shared library, not a cohort plugin, built
/// against other cohort headers, or defining a model that already exists. what() names the file.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Opens each library, checks its ABI tag against this program's and lets it register its
/// models; a library named twice is loaded once. Libraries are never unloaded: the models' code
/// lives in them until the process ends.
void load_plugins(const std::vector<std::filesystem::path>& files, engine::ModelRegistry& registry);

}  // namespace cohort::cli
