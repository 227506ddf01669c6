#pragma once
// Random walkers on a torus: the engine's test and quick-start model. Each walker keeps a pooled,
// budgeted trail of the cells it visited, so the model exercises every part of the engine:
// parallel systems, births and deaths, pooled per-agent data, reclaimers and refusals.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `random_walk` with `registry`.
void register_random_walk(engine::ModelRegistry& registry);

}  // namespace cohort::models
