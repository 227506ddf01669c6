#pragma once
// Gene-network evolution: happygene's dynamics (expression through a sparse regulatory network,
// fitness, point mutation) with selection and reproduction on top, on the cohort engine.

#include "cohort/engine/model.hpp"

namespace cohort::models {

/// Registers `gene_network` with `registry`.
void register_gene_network(engine::ModelRegistry& registry);

}  // namespace cohort::models
