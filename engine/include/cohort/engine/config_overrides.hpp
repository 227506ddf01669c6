#pragma once
// `--set key.path=value` overrides: applying them to a YAML document, and remembering which
// key paths each one wrote so problems there are reported at the assignment, not in the file.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "cohort/engine/source_location.hpp"

namespace cohort::engine {

/// The key paths --set assignments created or replaced, each with its assignment text.
class ConfigOverrides {
 public:
  /// Notes that `path` (and everything inside it) now holds what `assignment` wrote.
  void record(const std::string& path, std::string_view assignment);
  /// The assignment that wrote `path` or an ancestor of it, the nearest one if several did.
  const std::string* assignment_for(const std::string& path) const;
  /// Where the value at `path` came from: its assignment, else `in_file`.
  SourceLocation location_of(const std::string& path, SourceLocation in_file) const;
  bool empty() const { return written_.empty(); }

 private:
  std::map<std::string, std::string, std::less<>> written_;
};

/// Applies `key.path=value` to `doc`. The value is parsed as YAML ("2000", "none", "[1, 2]",
/// "{linear: {slope: 2}}"; nothing after '=' means null, which only a section accepts). Missing
/// maps along the path are created; `edges[2]` indexes an existing list item. Records what it wrote
/// in `overrides`. Throws ConfigError for a malformed assignment, a path through a scalar or past
/// the end of a list, or an invalid YAML value.
void apply_override(YAML::Node& doc, std::string_view assignment, ConfigOverrides& overrides);

}  // namespace cohort::engine
