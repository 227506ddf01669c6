// Validation of a YAML document against a ParamSpec, collecting every problem before throwing.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <tuple>

#include "cohort/engine/byte_size.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"
#include "yaml_source.hpp"

namespace cohort::engine {

namespace {

using detail::child_path;
using detail::describe_found;
using detail::item_path;

std::vector<std::string> names_of(const std::vector<ParamSpec>& specs) {
  std::vector<std::string> names;
  for (const ParamSpec& s : specs)
    names.push_back(s.name);
  return names;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words)
    out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Whole numbers as YAML writes them: optional sign and digits, so "1.0" and "1e3" are not.
std::optional<std::int64_t> parse_integer(const std::string& text) {
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const char* end = text.data() + text.size();
  std::int64_t value = 0;
  auto [stop, ec] = std::from_chars(begin, end, value);
  if (begin == end || ec != std::errc{} || stop != end) return std::nullopt;
  return value;
}

// Digits with an optional sign: a whole number, though perhaps too large for parse_integer.
bool is_whole_number(const std::string& text) {
  const std::size_t start = text.starts_with('+') || text.starts_with('-') ? 1 : 0;
  return text.size() > start &&
         std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<double> parse_real(const std::string& text) {
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  const char* end = text.data() + text.size();
  double value = 0;
  auto [stop, ec] = std::from_chars(begin, end, value);
  if (begin == end || ec != std::errc{} || stop != end || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// Compares in long double, which holds every int64 and uint64 exactly.
bool in_range(const ParamSpec& spec, long double value) {
  return !(spec.minimum && value < static_cast<long double>(*spec.minimum)) &&
         !(spec.maximum && value > static_cast<long double>(*spec.maximum));
}

std::vector<std::string> required_fields(const ParamSpec& spec) {
  std::vector<std::string> names;
  for (const ParamSpec& field : spec.fields)
    if (!field.default_value) names.push_back(field.name);
  return names;
}

// File positions in reading order, then --set assignments in the order they were checked.
void sort_for_reading(std::vector<ConfigIssue>& issues) {
  const auto order = [](const ConfigIssue& issue) {
    const SourceLocation& at = issue.location;
    return std::tuple(!at.assignment.empty(), at.line, at.column);
  };
  std::stable_sort(issues.begin(), issues.end(),
                   [&](const ConfigIssue& a, const ConfigIssue& b) { return order(a) < order(b); });
}

// Far above any real config (a 1000 x 1000 epistatic matrix is a million values), far below
// what exhausts memory when validated (a value costs a few hundred bytes).
constexpr std::size_t kMaxConfigValues = std::size_t{1} << 21;
// yaml-cpp's own nesting limit; deeper is only reachable through aliases (an anchor used inside
// itself is a cycle).
constexpr std::size_t kMaxDepth = 2000;

// An alias is a reference to its anchor's node, so a few kilobytes of nested aliases stand for
// billions of values. Counts the document's values as validation would visit them, each use of
// an alias as a copy, and stops at the first one over the limit, before anything is built.
class ExpansionBound {
 public:
  ExpansionBound(const std::string& file, const ConfigOverrides& overrides)
      : file_(file), overrides_(overrides) {}

  void visit(const YAML::Node& node, const std::string& path, std::size_t depth) {
    if (++values_ > kMaxConfigValues)
      refuse(node, path,
             "at most " + std::to_string(kMaxConfigValues) +
                 " values in the whole config, counting each use of a YAML alias (*name) as a copy",
             "more (nested aliases expand too far)");
    if (depth > kMaxDepth)
      refuse(node, path, "maps and lists nested at most " + std::to_string(kMaxDepth) + " deep",
             "deeper (an alias used inside its own anchor?)");
    if (node.IsMap()) {
      for (const auto& entry : node) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
        visit(entry.first, path, depth + 1);
        visit(entry.second, child_path(path, key), depth + 1);
      }
    } else if (node.IsSequence()) {
      std::size_t i = 0;
      for (const auto& item : node)
        visit(item, item_path(path, i++), depth + 1);
    }
  }

 private:
  [[noreturn]] void refuse(const YAML::Node& node, const std::string& path, std::string expected,
                           std::string got) const {
    throw ConfigError(detail::locate(node, path, file_, overrides_), path, std::move(expected),
                      std::move(got));
  }

  const std::string& file_;
  const ConfigOverrides& overrides_;
  std::size_t values_ = 0;
};

// Walks a document and its spec together. A check returns nothing after recording an issue.
class Validator {
 public:
  Validator(std::string file, const ConfigOverrides& overrides, bool filling_default = false)
      : file_(std::move(file)), overrides_(overrides), filling_default_(filling_default) {}

  std::vector<ConfigIssue> issues;

  std::optional<ConfigValue> check(const YAML::Node& node, const ParamSpec& spec,
                                   const std::string& path) {
    // An absent key takes its default. A key given as null (`steps:`, `--set steps=`) does not:
    // a value was meant and is missing. Only a section may be null, as an empty map.
    if (!node.IsDefined() && spec.default_value) return fill_default(spec, path);
    if (node.IsDefined() && node.IsNull() && spec.type != ParamType::object)
      return fail(node, path, describe_expected(spec), "null");
    return check_given(node, spec, path);
  }

  // Like check(), but `node` is taken as given even when null.
  std::optional<ConfigValue> check_given(const YAML::Node& node, const ParamSpec& spec,
                                         const std::string& path) {
    switch (spec.type) {
      case ParamType::object:
        return check_object(node, spec, path, node);
      case ParamType::list:
        return check_list(node, spec, path);
      case ParamType::variant:
        return check_variant(node, spec, path);
      default:
        return check_scalar(node, spec, path);
    }
  }

  // A map's fields; `position` is where the object is said to be (the scalar of `selection:
  // none` has no map of its own). Null counts as an empty map, so each missing key is named.
  std::optional<ConfigValue> check_object(const YAML::Node& node, const ParamSpec& spec,
                                          const std::string& path, const YAML::Node& position) {
    if (node.IsDefined() && !node.IsMap() && !node.IsNull())
      return fail(node, path, describe_expected(spec), describe_found(node));
    std::vector<std::optional<ConfigValue>> values(spec.fields.size());
    std::vector<std::optional<int>> seen_at_line(spec.fields.size());
    bool ok = true;
    if (node.IsDefined() && node.IsMap()) {
      for (const auto& entry : node) {
        const YAML::Node& key = entry.first;
        const std::string name = key.IsScalar() ? key.Scalar() : describe_found(key);
        const std::string key_path = child_path(path, name);
        const ParamSpec* field = key.IsScalar() ? spec.find_field(name) : nullptr;
        if (field == nullptr) {
          ok = false;
          unknown_key(key, key_path, name, names_of(spec.fields));
          continue;
        }
        const auto i = static_cast<std::size_t>(field - spec.fields.data());
        if (seen_at_line[i]) {
          // yaml-cpp keeps both and lookups see the first; say so rather than guess.
          ok = false;
          fail(key, key_path, "each key at most once",
               "'" + name + "' again (first at line " + std::to_string(*seen_at_line[i]) + ")");
          continue;
        }
        seen_at_line[i] = key.Mark().line + 1;
        if (entry.second.IsNull() && field->type != ParamType::object) {
          // yaml-cpp places a missing value at the next token: point at the key instead.
          ok = false;
          fail(key, key_path, describe_expected(*field), "null");
          continue;
        }
        values[i] = check(entry.second, *field, key_path);
        ok = values[i].has_value() && ok;
      }
    }
    for (std::size_t i = 0; i < spec.fields.size(); ++i) {
      if (seen_at_line[i]) continue;
      const ParamSpec& field = spec.fields[i];
      if (field.default_value) {
        values[i] = fill_default(field, child_path(path, field.name));
      } else {
        ok = false;
        report(IssueKind::missing_key, locate(position, path), child_path(path, field.name),
               describe_expected(field));
      }
    }
    if (!ok) return std::nullopt;
    ConfigValue::Fields fields;
    for (std::size_t i = 0; i < spec.fields.size(); ++i)
      fields.emplace_back(spec.fields[i].name, std::move(*values[i]));
    return ConfigValue::make_object(std::move(fields), path, locate(position, path));
  }

  std::optional<ConfigValue> check_list(const YAML::Node& node, const ParamSpec& spec,
                                        const std::string& path) {
    if (!node.IsDefined() || !node.IsSequence())
      return fail(node, path, describe_expected(spec), describe_found(node));
    bool ok = in_range(spec, static_cast<long double>(node.size()));
    if (!ok) fail(node, path, describe_expected(spec), describe_found(node));
    std::vector<ConfigValue> items;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto item = check(node[i], *spec.element, item_path(path, i));
      ok = item.has_value() && ok;
      if (item) items.push_back(std::move(*item));
    }
    if (!ok) return std::nullopt;
    return ConfigValue::make_list(std::move(items), path, locate(node, path));
  }

  // `{name: {fields}}`, or `name` alone when the alternative needs no fields.
  std::optional<ConfigValue> check_variant(const YAML::Node& node, const ParamSpec& spec,
                                           const std::string& path) {
    const std::string expected = describe_expected(spec);
    if (node.IsDefined() && node.IsScalar()) {
      const ParamSpec* alternative = find_alternative(node, node, spec, path);
      if (alternative == nullptr) return std::nullopt;
      if (const auto required = required_fields(*alternative); !required.empty())
        return fail(node, path,
                    "{" + node.Scalar() + ": {...}} setting its required " +
                        (required.size() == 1 ? "field " : "fields ") + join(required),
                    describe_found(node));
      return make_variant(*alternative, YAML::Node(), node, node, path);
    }
    if (!node.IsDefined() || !node.IsMap()) return fail(node, path, expected, describe_found(node));
    if (node.size() != 1) {
      std::vector<std::string> keys;
      for (const auto& entry : node)
        keys.push_back(entry.first.IsScalar() ? entry.first.Scalar() : "?");
      return fail(node, path, "exactly one of " + join(names_of(spec.alternatives)),
                  keys.empty() ? describe_found(node)
                               : std::to_string(keys.size()) + " keys (" + join(keys) + ")");
    }
    const auto entry = *node.begin();
    const ParamSpec* alternative = find_alternative(entry.first, node, spec, path);
    if (alternative == nullptr) return std::nullopt;
    return make_variant(*alternative, entry.second, entry.second.IsMap() ? entry.second : node,
                        node, path);
  }

  std::optional<ConfigValue> check_scalar(const YAML::Node& node, const ParamSpec& spec,
                                          const std::string& path) {
    const std::string expected = describe_expected(spec);
    if (!node.IsDefined() || !node.IsScalar())
      return fail(node, path, expected, describe_found(node));
    const std::string& text = node.Scalar();
    const bool plain = detail::is_plain(node);
    const auto scalar = [&](ConfigValue::Scalar value) {
      return ConfigValue::make_scalar(spec.type, std::move(value), path, locate(node, path));
    };
    switch (spec.type) {
      case ParamType::boolean:
        if (plain && (text == "true" || text == "false")) return scalar(text == "true");
        break;
      case ParamType::integer:
        if (const auto value = plain ? parse_integer(text) : std::nullopt) {
          if (in_range(spec, static_cast<long double>(*value))) return scalar(*value);
        } else if (plain && is_whole_number(text)) {
          return fail(node, path, expected, text + " (beyond the largest integer, 2^63-1)");
        }
        break;
      case ParamType::real:
        if (const auto value = plain ? parse_real(text) : std::nullopt) {
          if (in_range(spec, static_cast<long double>(*value))) return scalar(*value);
        }
        break;
      case ParamType::bytes:
        if (const auto value = parse_byte_size(text)) {
          if (in_range(spec, static_cast<long double>(*value))) return scalar(*value);
          break;
        }
        return fail(node, path,
                    expected +
                        " (a number of bytes, optionally with unit B, KiB, MiB, GiB, KB, "
                        "MB or GB)",
                    describe_found(node));
      case ParamType::string:
        return scalar(text);
      case ParamType::choice:
        for (const std::string& choice : spec.choices)
          if (choice == text) return scalar(text);
        return fail(node, path, expected, describe_found(node), nearest(text, spec.choices));
      default:
        throw std::logic_error(path + ": not a scalar type");
    }
    return fail(node, path, expected, describe_found(node));
  }

 private:
  SourceLocation locate(const YAML::Node& node, const std::string& path) const {
    if (filling_default_) return SourceLocation{"(default)"};
    return detail::locate(node, path, file_, overrides_);
  }

  void report(IssueKind kind, SourceLocation location, std::string key_path, std::string expected,
              std::string got = {}, std::string suggestion = {}) {
    issues.push_back(ConfigIssue{kind, std::move(location), std::move(key_path),
                                 std::move(expected), std::move(got), std::move(suggestion)});
  }

  std::nullopt_t fail(const YAML::Node& node, const std::string& path, std::string expected,
                      std::string got, std::string suggestion = {}) {
    report(IssueKind::bad_value, locate(node, path), path, std::move(expected), std::move(got),
           std::move(suggestion));
    return std::nullopt;
  }

  void unknown_key(const YAML::Node& key, const std::string& key_path, const std::string& name,
                   const std::vector<std::string>& valid) {
    report(IssueKind::unknown_key, locate(key, key_path), key_path, join(valid), {},
           nearest(name, valid));
  }

  // The alternative `name_node` names, or nothing after reporting it at `name_node`.
  const ParamSpec* find_alternative(const YAML::Node& name_node, const YAML::Node& variant,
                                    const ParamSpec& spec, const std::string& path) {
    const std::string name = name_node.IsScalar() ? name_node.Scalar() : "";
    if (const ParamSpec* alternative = spec.find_alternative(name)) return alternative;
    const YAML::Node& where = name_node.Mark().is_null() ? variant : name_node;
    fail(where, path, describe_expected(spec), describe_found(name_node),
         nearest(name, names_of(spec.alternatives)));
    return nullptr;
  }

  // The variant at `node` holding `alternative` with `fields`, which are said to be at
  // `fields_position` (their map, or the variant itself when they have none).
  std::optional<ConfigValue> make_variant(const ParamSpec& alternative, const YAML::Node& fields,
                                          const YAML::Node& fields_position, const YAML::Node& node,
                                          const std::string& path) {
    auto value =
        check_object(fields, alternative, child_path(path, alternative.name), fields_position);
    if (!value) return std::nullopt;
    return ConfigValue::make_variant(alternative.name, std::move(*value), path, locate(node, path));
  }

  // Defaults go through the same checks as input, so a bad default is caught, as a bug.
  ConfigValue fill_default(const ParamSpec& spec, const std::string& path) {
    Validator defaults(file_, overrides_, true);
    auto value = defaults.check_given(*spec.default_value, spec, path);
    if (!value)
      throw std::logic_error("invalid schema default: " + defaults.issues.front().message());
    return std::move(*value);
  }

  std::string file_;
  const ConfigOverrides& overrides_;
  bool filling_default_;
};

}  // namespace

ConfigValue validate(const YAML::Node& doc, const ParamSpec& root, const std::string& file,
                     const ConfigOverrides& overrides) {
  if (root.type != ParamType::object)
    throw std::logic_error("validate: the root spec '" + root.name + "' must be an object");
  ExpansionBound(file, overrides).visit(doc, "", 0);
  Validator validator(file, overrides);
  // Given as is, so an empty document still lists each missing key.
  auto value = validator.check_given(doc, root, "");
  if (!validator.issues.empty()) {
    sort_for_reading(validator.issues);
    throw ConfigError(std::move(validator.issues));
  }
  return std::move(*value);
}

}  // namespace cohort::engine
