#include "cohort/engine/config_error.hpp"

#include <algorithm>
#include <numeric>

namespace cohort::engine {

namespace {

std::string join_messages(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& issue : issues)
    out += (out.empty() ? "" : "\n") + issue.message();
  return out;
}

std::string did_you_mean(const std::string& suggestion) {
  return suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?";
}

}  // namespace

std::string ConfigIssue::message() const {
  std::string out = location.to_string() + ": ";
  if (!key_path.empty()) out += key_path + ": ";
  switch (kind) {
    case IssueKind::bad_value:
      out += "expected " + expected;
      if (!got.empty()) out += ", got " + got;
      return out + did_you_mean(suggestion);
    case IssueKind::unknown_key:
      return out + "unknown key" + did_you_mean(suggestion) +
             (expected.empty() ? " (no keys are valid here)" : " (valid keys: " + expected + ")");
    case IssueKind::missing_key:
      return out + "required key is missing (expected " + expected + ")";
    case IssueKind::bad_yaml:
      return out + "invalid YAML: " + got;
    case IssueKind::unreadable:
      return out + "cannot read config file: " + got;
  }
  return out + got;
}

ConfigError::ConfigError(ConfigIssue issue) : ConfigError(std::vector<ConfigIssue>{issue}) {}

ConfigError::ConfigError(SourceLocation location, std::string key_path, std::string expected,
                         std::string got, std::string suggestion)
    : ConfigError(ConfigIssue{IssueKind::bad_value, std::move(location), std::move(key_path),
                              std::move(expected), std::move(got), std::move(suggestion)}) {}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_messages(issues)), issues_(std::move(issues)) {}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the Levenshtein table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace cohort::engine
