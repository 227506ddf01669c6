#pragma once
// The registry of every built-in model, made once per test process. For suites that link
// cohort::models.

#include "cohort/engine/model.hpp"
#include "cohort/models/builtin.hpp"

namespace cohort::testing {

/// All built-in models, registered on first use.
inline const engine::ModelRegistry& builtin_registry() {
  static const engine::ModelRegistry registry = [] {
    engine::ModelRegistry r;
    models::register_builtin_models(r);
    return r;
  }();
  return registry;
}

}  // namespace cohort::testing
