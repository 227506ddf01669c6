// A plugin built against other cohort headers: its ABI tag names another release, so the host
// must refuse it before calling anything else in it.
#include "cohort/engine/model.hpp"

extern "C" __attribute__((visibility("default"))) const char* cohort_plugin_abi() {
  return "cohort 0.0.1, plugin abi 0, gcc 9, cxx11 abi 1";
}

extern "C" __attribute__((visibility("default"))) void cohort_register_models(
    cohort::engine::ModelRegistry*) {
  __builtin_trap();  // must never be called
}
