#include "yaml_source.hpp"

#include <charconv>

#include <yaml-cpp/depthguard.h>

namespace cohort::engine::detail {

namespace {

// Text YAML would read as a number or boolean rather than a string.
bool looks_literal(const std::string& text) {
  if (text == "true" || text == "false") return true;
  double value = 0;
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && begin != end;
}

std::string count(std::size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

SourceLocation locate(const YAML::Node& node, const std::string& path, const std::string& file,
                      const ConfigOverrides& overrides) {
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (mark.is_null()) return overrides.location_of(path, SourceLocation{file});
  return overrides.location_of(path, SourceLocation{file, mark.line + 1, mark.column + 1});
}

bool is_plain(const YAML::Node& node) {
  // yaml-cpp tags plain scalars "?" and quoted ones "!"; nodes built in code have no tag.
  return node.Tag() != "!";
}

std::string describe_found(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Map:
      return node.size() == 0 ? "an empty map" : "a map";
    case YAML::NodeType::Sequence:
      return node.size() == 0 ? "an empty list" : "a list of " + count(node.size(), "item");
    case YAML::NodeType::Scalar:
      break;
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  const std::string& text = node.Scalar();
  if (!looks_literal(text)) return "'" + text + "'";
  return is_plain(node) ? text : "'" + text + "' (a quoted string)";
}

std::string yaml_problem(const YAML::Exception& e) {
  if (const auto* deep = dynamic_cast<const YAML::DeepRecursion*>(&e))
    return "maps and lists nested " + std::to_string(deep->depth()) +
           " levels deep, beyond the parser's limit";
  return e.msg;
}

}  // namespace cohort::engine::detail
