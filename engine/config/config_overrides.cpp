// Applying --set overrides to a YAML document and remembering where they wrote.
#include "cohort/engine/config_overrides.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "yaml_source.hpp"

namespace cohort::engine {

namespace {

// One step of a --set path: a map key, then any list indexes written after it ("edges[2]").
struct PathStep {
  std::string key;
  std::vector<std::size_t> indexes;
};

ConfigIssue malformed(std::string_view assignment) {
  ConfigIssue issue;
  issue.location.assignment = assignment;
  issue.expected = "key.path=value (keys separated by '.', list items as key[index])";
  return issue;
}

// "populations.walkers.size" -> {populations}, {walkers}, {size}; nothing if malformed.
std::optional<std::vector<PathStep>> parse_path(std::string_view path) {
  std::vector<PathStep> steps;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    std::string_view part = path.substr(start, dot - start);
    PathStep step;
    const std::size_t bracket = part.find('[');
    step.key = part.substr(0, bracket);
    if (step.key.empty()) return std::nullopt;
    for (std::size_t at = bracket; at != std::string_view::npos;) {
      const std::size_t close = part.find(']', at);
      if (close == std::string_view::npos) return std::nullopt;
      const std::string_view digits = part.substr(at + 1, close - at - 1);
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
        return std::nullopt;
      step.indexes.push_back(index);
      at = close + 1;
      if (at == part.size()) break;
      if (part[at] != '[') return std::nullopt;
    }
    steps.push_back(std::move(step));
    start = dot + 1;
  }
  return steps;
}

}  // namespace

void ConfigOverrides::record(const std::string& path, std::string_view assignment) {
  // Records inside `path` are stale: this assignment replaced what they wrote.
  std::erase_if(written_, [&](const auto& entry) {
    const std::string& p = entry.first;
    return p.size() > path.size() && p.starts_with(path) &&
           (p[path.size()] == '.' || p[path.size()] == '[');
  });
  written_.insert_or_assign(path, std::string(assignment));
}

const std::string* ConfigOverrides::assignment_for(const std::string& path) const {
  // The nearest recorded path wins: a later --set inside an earlier one's value is more exact.
  std::string candidate = path;
  while (!candidate.empty()) {
    if (auto it = written_.find(candidate); it != written_.end()) return &it->second;
    const std::size_t cut = candidate.find_last_of(".[");
    candidate.resize(cut == std::string::npos ? 0 : cut);
  }
  return nullptr;
}

SourceLocation ConfigOverrides::location_of(const std::string& path, SourceLocation in_file) const {
  if (const std::string* assignment = assignment_for(path)) {
    in_file.line = 0;
    in_file.column = 0;
    in_file.assignment = *assignment;
  }
  return in_file;
}

void apply_override(YAML::Node& doc, std::string_view assignment, ConfigOverrides& overrides) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) throw ConfigError(malformed(assignment));
  const auto steps = parse_path(assignment.substr(0, eq));
  if (!steps) throw ConfigError(malformed(assignment));

  ConfigIssue issue;
  issue.location.assignment = assignment;
  YAML::Node value;
  try {
    value = YAML::Load(std::string(assignment.substr(eq + 1)));
  } catch (const YAML::Exception& e) {
    issue.kind = IssueKind::bad_yaml;
    issue.key_path = assignment.substr(0, eq);
    issue.got = detail::yaml_problem(e);
    throw ConfigError(issue);
  }

  // `current` is a handle moved with reset(): assigning to a handle would overwrite its node.
  YAML::Node current;
  current.reset(doc);
  std::string path;
  for (std::size_t s = 0; s < steps->size(); ++s) {
    const PathStep& step = (*steps)[s];
    const bool last_step = s + 1 == steps->size();
    if (!current.IsMap() && !current.IsNull()) {
      issue.key_path = path;
      issue.expected = "a map to set '" + step.key + "' in";
      issue.got = detail::describe_found(current);
      throw ConfigError(issue);
    }
    path = detail::child_path(path, step.key);
    YAML::Node next = current[step.key];  // absent keys come back undefined until assigned
    if (!next.IsDefined() && !last_step && step.indexes.empty()) {
      next = YAML::Node(YAML::NodeType::Map);  // a map created on the way to the value
      overrides.record(path, assignment);
    }
    current.reset(next);
    for (const std::size_t index : step.indexes) {
      if (!current.IsSequence() || index >= current.size()) {
        issue.key_path = path;
        issue.expected = "a list with an item [" + std::to_string(index) + "]";
        issue.got = detail::describe_found(current);
        throw ConfigError(issue);
      }
      path = detail::item_path(path, index);
      YAML::Node item = current[index];
      current.reset(item);
    }
  }
  current = value;
  overrides.record(path, assignment);
}

}  // namespace cohort::engine
