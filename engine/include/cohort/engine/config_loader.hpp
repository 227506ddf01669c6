#pragma once
// Reading a configuration: the YAML file, `--set key.path=value` overrides on top of it (see
// config_overrides.hpp), and validation against a ParamSpec into a ConfigValue. Every failure
// is a ConfigError.
//
//   YAML::Node doc = load_yaml_file(path);
//   ConfigOverrides sets;
//   for (const std::string& a : cli.sets) apply_override(doc, a, sets);
//   const ParamSpec schema = run_schema(find_model(read_model_name(doc, path, sets)));
//   const ConfigValue config = validate(doc, schema, path, sets);

#include <string>

#include <yaml-cpp/yaml.h>

#include "cohort/engine/config_overrides.hpp"
#include "cohort/engine/config_value.hpp"
#include "cohort/engine/param_spec.hpp"

namespace cohort::engine {

/// Parses a YAML file. A missing or unreadable file, and a syntax error (with yaml-cpp's line
/// and column), throw ConfigError. An empty file is an empty map.
YAML::Node load_yaml_file(const std::string& path);

/// The top-level `model` key, checked early so the caller can compose the model's schema.
/// Throws ConfigError if it is missing or not a string.
std::string read_model_name(const YAML::Node& doc, const std::string& file,
                            const ConfigOverrides& overrides = {});

/// Checks `doc` against `root` (an object spec) and returns the typed tree with defaults
/// filled in. Collects every problem (unknown keys with suggestions, wrong types, out-of-range
/// values, missing required keys) and throws them together as one ConfigError.
ConfigValue validate(const YAML::Node& doc, const ParamSpec& root, const std::string& file,
                     const ConfigOverrides& overrides = {});

}  // namespace cohort::engine
