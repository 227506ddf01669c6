// A program of your own that is a complete `cohort` (run, validate, models, bench, sweep, ...)
// and also knows your models: here the built-in ones and "savings".
#include <cohort/cli/main.hpp>
#include <cohort/models/builtin.hpp>

#include "savings.hpp"

int main(int argc, char** argv) {
  cohort::engine::ModelRegistry registry;
  cohort::models::register_builtin_models(registry);
  register_savings(registry);
  return cohort::main(argc, argv, registry);
}
