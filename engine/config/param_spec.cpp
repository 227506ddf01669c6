#include "cohort/engine/param_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "cohort/engine/byte_size.hpp"

namespace cohort::engine {

namespace {

// Shortest text that reads back as the same double: 0.1 -> "0.1", not "0.10000000000000001".
std::string shortest(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (const std::string& w : words)
    out += (out.empty() ? "" : std::string(separator)) + w;
  return out;
}

std::vector<std::string> names_of(const std::vector<ParamSpec>& specs) {
  std::vector<std::string> names;
  for (const ParamSpec& s : specs)
    names.push_back(s.name);
  return names;
}

ParamSpec leaf(std::string name, ParamType type, std::string help) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.help = std::move(help);
  return spec;
}

// A bound as its type reads it: 1000 for an integer, "16 KiB" for bytes, 0.5 for a real.
std::string bound_text(const ParamSpec& spec, double bound) {
  switch (spec.type) {
    case ParamType::integer:
    case ParamType::list:
      return std::to_string(static_cast<std::int64_t>(bound));
    case ParamType::bytes:
      return format_byte_size(static_cast<std::uint64_t>(bound));
    default:
      return shortest(bound);
  }
}

// " in [0, 1]", " >= 1", " <= 10" or nothing.
std::string range_text(const ParamSpec& spec) {
  if (spec.minimum && spec.maximum)
    return " in [" + bound_text(spec, *spec.minimum) + ", " + bound_text(spec, *spec.maximum) + "]";
  if (spec.minimum) return " >= " + bound_text(spec, *spec.minimum);
  if (spec.maximum) return " <= " + bound_text(spec, *spec.maximum);
  return "";
}

std::string items(double count) {
  const auto n = static_cast<std::int64_t>(count);
  return std::to_string(n) + (n == 1 ? " item" : " items");
}

// The default as help shows it: strings quoted, byte sizes with units, structures in flow style.
std::string default_text(const ParamSpec& spec) {
  const YAML::Node& node = *spec.default_value;
  if (spec.type == ParamType::string) return "\"" + node.Scalar() + "\"";
  if (spec.type == ParamType::bytes && node.IsScalar())
    if (auto bytes = parse_byte_size(node.Scalar())) return format_byte_size(*bytes);
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

// "real in [0, 1], default 0.1" for the parenthesis after a name in help.
std::string summary(const ParamSpec& spec) {
  std::string text(type_name(spec.type));
  if (spec.type == ParamType::choice) text += " of " + join(spec.choices, " | ");
  if (spec.type == ParamType::variant) text += " of " + join(names_of(spec.alternatives), " | ");
  if (spec.type == ParamType::list) {
    if (spec.minimum || spec.maximum) text += ", length" + range_text(spec);
  } else {
    text += range_text(spec);
  }
  if (spec.type == ParamType::object) return text;  // an object's requirement is its fields'
  return text + (spec.default_value ? ", default " + default_text(spec) : ", required");
}

void render_line(std::string& out, int indent, const std::string& label, const std::string& help) {
  out += std::string(static_cast<std::size_t>(indent), ' ') + label;
  if (!help.empty()) out += ": " + help;
  out += "\n";
}

void render(std::string& out, const ParamSpec& spec, int indent) {
  render_line(out, indent, spec.name + " (" + summary(spec) + ")", spec.help);
  for (const ParamSpec& field : spec.fields)
    render(out, field, indent + 2);
  for (const ParamSpec& alternative : spec.alternatives) {
    render_line(out, indent + 2, alternative.name, alternative.help);
    for (const ParamSpec& field : alternative.fields)
      render(out, field, indent + 4);
  }
  if (spec.element) {
    ParamSpec item = *spec.element;
    item.name = "each item";
    render(out, item, indent + 2);
  }
}

}  // namespace

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::boolean:
      return "boolean";
    case ParamType::integer:
      return "integer";
    case ParamType::real:
      return "real";
    case ParamType::string:
      return "string";
    case ParamType::bytes:
      return "bytes";
    case ParamType::choice:
      return "choice";
    case ParamType::list:
      return "list";
    case ParamType::object:
      return "object";
    case ParamType::variant:
      return "variant";
  }
  return "unknown";
}

ParamSpec ParamSpec::boolean(std::string name, std::optional<bool> fallback, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::boolean, std::move(help));
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(*fallback);
  return spec;
}

ParamSpec ParamSpec::integer(std::string name, std::optional<std::int64_t> fallback,
                             std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::integer, std::move(help));
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(std::to_string(*fallback));
  return spec;
}

ParamSpec ParamSpec::real(std::string name, std::optional<double> fallback, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::real, std::move(help));
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(shortest(*fallback));
  return spec;
}

ParamSpec ParamSpec::string(std::string name, std::optional<std::string> fallback,
                            std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::string, std::move(help));
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(*fallback);
  return spec;
}

ParamSpec ParamSpec::bytes(std::string name, std::optional<std::uint64_t> fallback,
                           std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::bytes, std::move(help));
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(std::to_string(*fallback));
  return spec;
}

ParamSpec ParamSpec::choice(std::string name, std::optional<std::string> fallback,
                            std::vector<std::string> choices, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::choice, std::move(help));
  spec.choices = std::move(choices);
  if (fallback &&
      std::find(spec.choices.begin(), spec.choices.end(), *fallback) == spec.choices.end())
    throw std::logic_error("choice '" + spec.name + "': default '" + *fallback +
                           "' is not one of its choices");
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(*fallback);
  return spec;
}

ParamSpec ParamSpec::object(std::string name, std::vector<ParamSpec> fields, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::object, std::move(help));
  spec.fields = std::move(fields);
  bool all_defaulted = true;
  for (const ParamSpec& field : spec.fields)
    all_defaulted = all_defaulted && field.default_value != nullptr;
  if (all_defaulted) spec.default_value = std::make_shared<const YAML::Node>(YAML::NodeType::Map);
  return spec;
}

ParamSpec ParamSpec::variant(std::string name, std::optional<std::string> fallback,
                             std::vector<ParamSpec> alternatives, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::variant, std::move(help));
  for (const ParamSpec& alternative : alternatives)
    if (alternative.type != ParamType::object)
      throw std::logic_error("variant '" + spec.name + "': alternative '" + alternative.name +
                             "' must be an object spec");
  spec.alternatives = std::move(alternatives);
  if (fallback && spec.find_alternative(*fallback) == nullptr)
    throw std::logic_error("variant '" + spec.name + "': default '" + *fallback +
                           "' is not one of its alternatives");
  if (fallback) spec.default_value = std::make_shared<const YAML::Node>(*fallback);
  return spec;
}

ParamSpec ParamSpec::list(std::string name, ParamSpec element, std::string help) {
  ParamSpec spec = leaf(std::move(name), ParamType::list, std::move(help));
  spec.element = std::make_shared<const ParamSpec>(std::move(element));
  return spec;
}

ParamSpec ParamSpec::min(double lowest) && {
  minimum = lowest;
  return std::move(*this);
}

ParamSpec ParamSpec::max(double highest) && {
  maximum = highest;
  return std::move(*this);
}

ParamSpec ParamSpec::range(double lowest, double highest) && {
  minimum = lowest;
  maximum = highest;
  return std::move(*this);
}

ParamSpec ParamSpec::required() && {
  default_value.reset();
  return std::move(*this);
}

ParamSpec ParamSpec::with_default(std::string_view yaml) && {
  default_value = std::make_shared<const YAML::Node>(YAML::Load(std::string(yaml)));
  return std::move(*this);
}

const ParamSpec* ParamSpec::find_field(std::string_view key) const {
  for (const ParamSpec& field : fields)
    if (field.name == key) return &field;
  return nullptr;
}

const ParamSpec* ParamSpec::find_alternative(std::string_view key) const {
  for (const ParamSpec& alternative : alternatives)
    if (alternative.name == key) return &alternative;
  return nullptr;
}

std::string describe_expected(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::boolean:
      return "true or false";
    case ParamType::integer:
      return "an integer" + range_text(spec);
    case ParamType::real:
      return "a real number" + range_text(spec);
    case ParamType::string:
      return "a string";
    case ParamType::bytes:
      return "a byte size" + range_text(spec);
    case ParamType::choice:
      return "one of " + join(spec.choices, ", ");
    case ParamType::variant:
      return "one of " + join(names_of(spec.alternatives), ", ");
    case ParamType::object:
      return spec.fields.empty() ? "an empty map"
                                 : "a map with keys " + join(names_of(spec.fields), ", ");
    case ParamType::list:
      if (spec.minimum && spec.maximum)
        return "a list of " + std::to_string(static_cast<std::int64_t>(*spec.minimum)) + " to " +
               items(*spec.maximum);
      if (spec.minimum) return "a list of at least " + items(*spec.minimum);
      if (spec.maximum) return "a list of at most " + items(*spec.maximum);
      return "a list";
  }
  return "a value";
}

std::string render_help(const ParamSpec& spec, int indent) {
  std::string out;
  render(out, spec, indent);
  return out;
}

}  // namespace cohort::engine
