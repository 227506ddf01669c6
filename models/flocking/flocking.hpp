#pragma once
// Flocking (Boids), classic_abm_models.md section 1, on the continuous space.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `flocking` with `registry`.
void register_flocking(engine::ModelRegistry& registry);

}  // namespace cohort::models
