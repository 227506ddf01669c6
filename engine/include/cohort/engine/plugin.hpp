#pragma once
// What a shared library needs to add models to a `cohort` program at run time (`cohort run
// CONFIG --plugin libmine.so`, or `plugins: [libmine.so]` in the config).
//
//   void register_mine(cohort::engine::ModelRegistry& registry) { registry.add({...}); }
//   COHORT_PLUGIN(register_mine)
//
// A plugin is compiled against the installed headers (-fPIC) and links no cohort library: the
// engine's functions are resolved at load time from the host program, which exports them (see
// cohort_enable_plugins() in the CMake package). One copy of the engine, so one accountant, one
// set of pools and one registry, whatever the plugin touches.

#include "cohort/engine/model.hpp"
#include "cohort/engine/version.hpp"

#define COHORT_PLUGIN_DETAIL_STR2(x) #x
#define COHORT_PLUGIN_DETAIL_STR(x) COHORT_PLUGIN_DETAIL_STR2(x)

/// Bumped when a change to the headers breaks plugins built against the previous ones.
#define COHORT_PLUGIN_ABI 1

#if defined(__clang__)
#define COHORT_PLUGIN_DETAIL_COMPILER "clang " COHORT_PLUGIN_DETAIL_STR(__clang_major__)
#elif defined(__GNUC__)
#define COHORT_PLUGIN_DETAIL_COMPILER "gcc " COHORT_PLUGIN_DETAIL_STR(__GNUC__)
#else
#define COHORT_PLUGIN_DETAIL_COMPILER "unknown compiler"
#endif

/// What a plugin and its host must agree on to share C++ types: the cohort release, the plugin
/// ABI number, the compiler family and major version, and the libstdc++ string ABI. The host
/// refuses a plugin whose tag differs, and says how.
#define COHORT_PLUGIN_ABI_TAG                                               \
  "cohort " COHORT_VERSION_STRING ", plugin abi " COHORT_PLUGIN_DETAIL_STR( \
      COHORT_PLUGIN_ABI) ", " COHORT_PLUGIN_DETAIL_COMPILER                 \
                         ", cxx11 abi " COHORT_PLUGIN_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)

/// Defines the plugin's two C entry points: `cohort_plugin_abi()` returning the tag above, and
/// `cohort_register_models(registry)` calling `register_function(*registry)`.
#define COHORT_PLUGIN(register_function)                                              \
  extern "C" __attribute__((visibility("default"))) const char* cohort_plugin_abi() { \
    return COHORT_PLUGIN_ABI_TAG;                                                     \
  }                                                                                   \
  extern "C" __attribute__((visibility("default"))) void cohort_register_models(      \
      ::cohort::engine::ModelRegistry* registry) {                                    \
    register_function(*registry);                                                     \
  }
