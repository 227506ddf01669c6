#pragma once
// Configuration problems: each says where it is, what was expected, what was found and, for a
// misspelling, what was probably meant. Validation reports all of them at once.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/source_location.hpp"

namespace cohort::engine {

/// What kind of problem a ConfigIssue describes; selects how its message reads.
enum class IssueKind {
  bad_value,    ///< "expected <expected>, got <got>"
  unknown_key,  ///< "unknown key; did you mean ...? (valid keys: <expected>)"
  missing_key,  ///< "required key is missing (expected <expected>)"
  bad_yaml,     ///< "invalid YAML: <got>" (yaml-cpp's message)
  unreadable,   ///< "cannot read config file: <got>" (the system's reason)
};

/// One problem in a configuration.
struct ConfigIssue {
  IssueKind kind = IssueKind::bad_value;
  SourceLocation location;  ///< for a missing key, the map that lacks it
  std::string key_path;     ///< "parameters.mutation.rate"; empty for the document itself
  std::string expected;     ///< what would be valid; for unknown keys, the valid keys
  std::string got;          ///< what was found, strings in quotes
  std::string suggestion;   ///< the nearest valid name, when one is close

  /// One line: "configs/x.yaml:12:5: parameters.mutation.rate: expected a real number in
  /// [0, 1], got 1.5".
  std::string message() const;
};

/// Thrown when a configuration cannot be read or is invalid. what() has one line per issue.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(ConfigIssue issue);
  /// A bad value found after validation, e.g. by a check across several keys.
  ConfigError(SourceLocation location, std::string key_path, std::string expected, std::string got,
              std::string suggestion = {});
  /// `issues` must not be empty.
  explicit ConfigError(std::vector<ConfigIssue> issues);

  const std::vector<ConfigIssue>& issues() const { return issues_; }
  /// The first issue, for callers that show or test one.
  const ConfigIssue& first() const { return issues_.front(); }

 private:
  std::vector<ConfigIssue> issues_;
};

/// Edit distance (insertions, deletions, substitutions) between two words.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a plausible misspelling (within
/// max(2, length / 3) edits), else "". Ties go to the earlier candidate.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cohort::engine
