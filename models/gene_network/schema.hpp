#pragma once
// The parameter schema of the gene_network model, as `cohort models` prints it.

#include "cohort/engine/param_spec.hpp"

namespace cohort::models::gene_network {

/// The `parameters` object of a gene_network run.
engine::ParamSpec parameter_schema();

}  // namespace cohort::models::gene_network
