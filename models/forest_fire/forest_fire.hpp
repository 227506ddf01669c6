#pragma once
// ForestFire (classic_abm_models.md section 4): a fire front crossing a random forest on a grid.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `forest_fire` with `registry`.
void register_forest_fire(engine::ModelRegistry& registry);

}  // namespace cohort::models
