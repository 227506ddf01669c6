#pragma once
// The models that ship with cohort.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Adds every built-in model (one per folder under models/) to `registry`.
void register_builtin_models(engine::ModelRegistry& registry);

}  // namespace cohort::models
