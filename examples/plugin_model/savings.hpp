#pragma once
// A model of savers, kept outside cohort's source tree: a plugin (libsavings.so) and a program
// of its own (examples/own_cli) both add it with register_savings().

#include <cohort/engine/model.hpp>

/// Adds the "savings" model: savers earn a random income and spend a share of their cash.
void register_savings(cohort::engine::ModelRegistry& registry);
