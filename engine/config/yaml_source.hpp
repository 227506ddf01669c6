#pragma once
// Internal to the config layer: how YAML nodes are located and described in messages, and how
// key paths are spelled. Shared by the loader and the validator.

#include <cstddef>
#include <string>

#include <yaml-cpp/yaml.h>

#include "cohort/engine/config_overrides.hpp"
#include "cohort/engine/source_location.hpp"

namespace cohort::engine::detail {

/// "parameters" + "rate" -> "parameters.rate"; the root's children have no leading dot.
std::string child_path(const std::string& parent, const std::string& key);
/// "parameters.edges" + 3 -> "parameters.edges[3]".
std::string item_path(const std::string& parent, std::size_t index);

/// Where `node` (at `path`) came from: its --set assignment, else `file` with yaml-cpp's mark
/// made 1-based, else just `file` for nodes without a position.
SourceLocation locate(const YAML::Node& node, const std::string& path, const std::string& file,
                      const ConfigOverrides& overrides);

/// Whether a scalar was written without quotes, so "1" may be a number but '"1"' is a string.
bool is_plain(const YAML::Node& node);

/// What was found, for "got ...": 1.5, true, 'abc', '1.5' (a quoted string), null, a map,
/// an empty list, a list of 3 items.
std::string describe_found(const YAML::Node& node);

/// yaml-cpp's message for a parse error, made specific where it is vague (its nesting limit
/// says "bad file").
std::string yaml_problem(const YAML::Exception& e);

}  // namespace cohort::engine::detail
