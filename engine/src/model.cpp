#include "cohort/engine/model.hpp"

#include <stdexcept>

namespace cohort::engine {

const PopulationSetup& ModelSetup::population(std::string_view name) const {
  for (const PopulationSetup& p : populations)
    if (p.name == name) return p;
  throw std::logic_error("model asked for undeclared population '" + std::string(name) + "'");
}

void ModelRegistry::add(ModelInfo info) {
  if (info.name.empty()) throw std::invalid_argument("a model needs a name");
  if (find(info.name) != nullptr)
    throw std::invalid_argument("a model named '" + info.name + "' is already registered");
  if (!info.create) throw std::invalid_argument("model '" + info.name + "' has no factory");
  models_.push_back(std::move(info));
}

const ModelInfo* ModelRegistry::find(std::string_view name) const {
  for (const ModelInfo& m : models_)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const ModelInfo& m : models_)
    out.push_back(m.name);
  return out;
}

}  // namespace cohort::engine
