// Reading config files, and finding the model name before the schema is known.
#include "cohort/engine/config_loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cohort/engine/config_error.hpp"
#include "yaml_source.hpp"

namespace cohort::engine {

YAML::Node load_yaml_file(const std::string& path) {
  ConfigIssue issue;
  issue.kind = IssueKind::unreadable;
  issue.location.file = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    issue.got = std::strerror(EISDIR);
    throw ConfigError(issue);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    issue.got = std::strerror(errno);
    throw ConfigError(issue);
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    YAML::Node doc = YAML::Load(text.str());
    return doc.IsNull() ? YAML::Node(YAML::NodeType::Map) : doc;
  } catch (const YAML::Exception& e) {
    issue.kind = IssueKind::bad_yaml;
    if (!e.mark.is_null()) {
      issue.location.line = e.mark.line + 1;
      issue.location.column = e.mark.column + 1;
    }
    issue.got = detail::yaml_problem(e);
    throw ConfigError(issue);
  }
}

std::string read_model_name(const YAML::Node& doc, const std::string& file,
                            const ConfigOverrides& overrides) {
  ConfigIssue issue;
  if (!doc.IsMap() && !doc.IsNull()) {
    issue.location = detail::locate(doc, "", file, overrides);
    issue.expected = "a map of settings";
    issue.got = detail::describe_found(doc);
    throw ConfigError(issue);
  }
  issue.key_path = "model";
  issue.expected = "a string naming the model";
  if (!doc.IsMap() || !doc["model"].IsDefined()) {
    issue.kind = IssueKind::missing_key;
    issue.location = detail::locate(doc, "", file, overrides);
    throw ConfigError(issue);
  }
  const YAML::Node model = doc["model"];
  if (!model.IsScalar()) {
    issue.location = detail::locate(model, "model", file, overrides);
    issue.got = detail::describe_found(model);
    throw ConfigError(issue);
  }
  return model.Scalar();
}

}  // namespace cohort::engine
