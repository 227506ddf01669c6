#pragma once
// Test-only models for the memory monitor, registered in the test executable's own registry:
//  - leaky: every agent is charged 8 more bytes each step and never releases them;
//  - steady: every agent is charged 64 bytes once;
//  - tide: agents are charged 8 bytes a step for the first half of the run, then release 8 a step.
// Charges are bookkeeping only (ChargeContext::charge), released when agents are destroyed.

#include "cohort/engine/model.hpp"

namespace cohort::testing {

/// Adds leaky, steady and tide to `registry`.
void register_monitor_test_models(engine::ModelRegistry& registry);

}  // namespace cohort::testing
