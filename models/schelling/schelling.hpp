#pragma once
// Schelling segregation (classic_abm_models.md section 2) on the grid space.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `schelling` with `registry`.
void register_schelling(engine::ModelRegistry& registry);

}  // namespace cohort::models
