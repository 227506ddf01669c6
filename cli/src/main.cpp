// The `cohort` program: the command line of cohort::cli with the built-in models.
#include "cohort/cli/main.hpp"
#include "cohort/models/builtin.hpp"

int main(int argc, char** argv) {
  cohort::engine::ModelRegistry registry;
  cohort::models::register_builtin_models(registry);
  return cohort::main(argc, argv, registry);
}
