#pragma once
// Belief-state agents: discrete active-inference explorers on a grid (pymdp's mathematics) with
// sparse pooled beliefs, a shared generative model, compressed ring-buffer histories and enforced
// per-agent budgets.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `belief_agents` with `registry`.
void register_belief_agents(engine::ModelRegistry& registry);

}  // namespace cohort::models
