#pragma once
// The whole `cohort` command line as a library, so a program of your own that registers your
// models is a complete `cohort` (run, validate, models, bench, profiles, sweep, plot):
//
//   int main(int argc, char** argv) {
//     cohort::engine::ModelRegistry registry;
//     cohort::models::register_builtin_models(registry);  // optional
//     register_my_models(registry);
//     return cohort::main(argc, argv, registry);
//   }

#include "cohort/engine/model.hpp"

namespace cohort {

/// Parses `argv` as the `cohort` program does and runs the subcommand with the models in
/// `registry` (plus any `--plugin` or `plugins:` libraries, added to it). Returns the exit code
/// (see `cohort --help`). Child runs of `bench` and `sweep` re-execute this same program.
int main(int argc, char** argv, engine::ModelRegistry& registry);

}  // namespace cohort
