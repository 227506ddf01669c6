#pragma once
// Where a configuration value came from: a file position, a --set assignment or a default.

#include <string>

namespace cohort::engine {

/// The origin of a config value or problem, for messages that point the reader at the fix.
struct SourceLocation {
  std::string file;             ///< the config file; "(default)" for values the schema filled in
  int line = 0;                 ///< 1-based; 0 when there is no position in the file
  int column = 0;               ///< 1-based; 0 when there is no position in the file
  std::string assignment = {};  ///< "parameters.rate=0.5" when the value came from --set

  /// "--set parameters.rate=0.5", "configs/x.yaml:12:5", or just the file when there is no line.
  std::string to_string() const {
    if (!assignment.empty()) return "--set " + assignment;
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }

  bool operator==(const SourceLocation&) const = default;
};

}  // namespace cohort::engine
