#pragma once
// WolfSheep predator-prey with grass (classic_abm_models.md section 3) on the grid space.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `wolf_sheep` with `registry`.
void register_wolf_sheep(engine::ModelRegistry& registry);

}  // namespace cohort::models
