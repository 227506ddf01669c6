#include "cohort/engine/config_value.hpp"

#include <cstdio>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace cohort::engine {

namespace {

bool is_scalar_type(ParamType type) {
  return type != ParamType::list && type != ParamType::object && type != ParamType::variant;
}

// A copy of `scalar` built in place from its alternative. Not Scalar's own copy constructor:
// libstdc++ 12 (Debian 12's) destroys a half-copied variant whose alternatives are all nothrow
// movable as if it held the failed alternative when that copy throws (a std::bad_alloc copying
// the string), which crashes; the in-place constructor leaves nothing to destroy.
ConfigValue::Scalar copy_scalar(const ConfigValue::Scalar& scalar) {
  return std::visit(
      [](const auto& value) {
        return ConfigValue::Scalar(std::in_place_type<std::decay_t<decltype(value)>>, value);
      },
      scalar);
}

// The Scalar alternative each scalar type is stored as.
bool holds_matching(ParamType type, const ConfigValue::Scalar& scalar) {
  switch (type) {
    case ParamType::boolean:
      return std::holds_alternative<bool>(scalar);
    case ParamType::integer:
      return std::holds_alternative<std::int64_t>(scalar);
    case ParamType::real:
      return std::holds_alternative<double>(scalar);
    case ParamType::string:
    case ParamType::choice:
      return std::holds_alternative<std::string>(scalar);
    case ParamType::bytes:
      return std::holds_alternative<std::uint64_t>(scalar);
    default:
      return false;
  }
}

// A YAML double-quoted string, so "true", "1" or "a: b" stay strings when read back.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", byte);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string scalar_text(const ConfigValue& value) {
  switch (value.type()) {
    case ParamType::boolean:
      return value.as_bool() ? "true" : "false";
    case ParamType::integer:
      return std::to_string(value.as_int());
    case ParamType::bytes:
      return std::to_string(value.as_bytes());
    case ParamType::string:
    case ParamType::choice:
      return quoted(value.as_string());
    case ParamType::real: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", value.as_real());
      return buf;
    }
    default:
      return "";
  }
}

// Values written after "key: " or "- " on the same line: scalars and empty structures.
bool is_inline(const ConfigValue& value) {
  switch (value.type()) {
    case ParamType::object:
      return value.fields().empty();
    case ParamType::list:
      return value.items().empty();
    case ParamType::variant:
      return false;
    default:
      return true;
  }
}

std::string inline_text(const ConfigValue& value) {
  if (value.type() == ParamType::object) return "{}";
  if (value.type() == ParamType::list) return "[]";
  return scalar_text(value);
}

void write_block(std::string& out, const ConfigValue& value, std::size_t indent);

void write_entry(std::string& out, const std::string& key, const ConfigValue& value,
                 std::size_t indent) {
  out += std::string(indent, ' ') + key + ":";
  if (is_inline(value)) {
    out += " " + inline_text(value) + "\n";
  } else {
    out += "\n";
    write_block(out, value, indent + 2);
  }
}

// A non-inline value as block YAML, every line starting at `indent`.
void write_block(std::string& out, const ConfigValue& value, std::size_t indent) {
  if (value.type() == ParamType::variant) {
    write_entry(out, value.variant(), value.variant_value(), indent);
    return;
  }
  if (value.type() == ParamType::object) {
    for (const auto& [key, field] : value.fields())
      write_entry(out, key, field, indent);
    return;
  }
  for (const ConfigValue& item : value.items()) {
    if (is_inline(item)) {
      out += std::string(indent, ' ') + "- " + inline_text(item) + "\n";
      continue;
    }
    // The item's block one level deeper, its first line's indent replaced by the dash.
    std::string block;
    write_block(block, item, indent + 2);
    out += block.replace(indent, 2, "- ");
  }
}

}  // namespace

ConfigValue::ConfigValue() : type_(ParamType::object) {}

ConfigValue::ConfigValue(const ConfigValue& other)
    : type_(other.type_),
      scalar_(copy_scalar(other.scalar_)),
      fields_(other.fields_),
      items_(other.items_),
      path_(other.path_),
      location_(other.location_) {}

ConfigValue& ConfigValue::operator=(const ConfigValue& other) {
  if (this != &other) *this = ConfigValue(other);
  return *this;
}

ConfigValue::ConfigValue(ParamType type, std::string path, SourceLocation location)
    : type_(type), path_(std::move(path)), location_(std::move(location)) {}

ConfigValue ConfigValue::make_scalar(ParamType type, Scalar scalar, std::string path,
                                     SourceLocation location) {
  if (!is_scalar_type(type) || !holds_matching(type, scalar))
    throw std::logic_error(path + ": scalar does not match type " + std::string(type_name(type)));
  ConfigValue value(type, std::move(path), std::move(location));
  value.scalar_ = std::move(scalar);
  return value;
}

ConfigValue ConfigValue::make_list(std::vector<ConfigValue> items, std::string path,
                                   SourceLocation location) {
  ConfigValue value(ParamType::list, std::move(path), std::move(location));
  value.items_ = std::move(items);
  return value;
}

ConfigValue ConfigValue::make_object(Fields fields, std::string path, SourceLocation location) {
  ConfigValue value(ParamType::object, std::move(path), std::move(location));
  value.fields_ = std::move(fields);
  return value;
}

ConfigValue ConfigValue::make_variant(std::string alternative, ConfigValue chosen, std::string path,
                                      SourceLocation location) {
  if (chosen.type() != ParamType::object)
    throw std::logic_error(path + ": a variant's value must be an object");
  ConfigValue value(ParamType::variant, std::move(path), std::move(location));
  value.fields_.emplace_back(std::move(alternative), std::move(chosen));
  return value;
}

void ConfigValue::misuse(std::string_view wanted) const {
  throw std::logic_error("config value " + (path_.empty() ? "(root)" : path_) + " is " +
                         std::string(type_name(type_)) + ", not " + std::string(wanted));
}

bool ConfigValue::as_bool() const {
  if (type_ != ParamType::boolean) misuse("boolean");
  return std::get<bool>(scalar_);
}

std::int64_t ConfigValue::as_int() const {
  if (type_ != ParamType::integer) misuse("integer");
  return std::get<std::int64_t>(scalar_);
}

double ConfigValue::as_real() const {
  if (type_ != ParamType::real) misuse("real");
  return std::get<double>(scalar_);
}

const std::string& ConfigValue::as_string() const {
  if (type_ != ParamType::string && type_ != ParamType::choice) misuse("string or choice");
  return std::get<std::string>(scalar_);
}

std::uint64_t ConfigValue::as_bytes() const {
  if (type_ != ParamType::bytes) misuse("bytes");
  return std::get<std::uint64_t>(scalar_);
}

const ConfigValue& ConfigValue::at(std::string_view key) const {
  for (const auto& [name, value] : fields())
    if (name == key) return value;
  throw std::logic_error("config value " + (path_.empty() ? "(root)" : path_) + " has no field '" +
                         std::string(key) + "'");
}

const ConfigValue* ConfigValue::find(std::string_view key) const {
  for (const auto& [name, value] : fields())
    if (name == key) return &value;
  return nullptr;
}

const ConfigValue::Fields& ConfigValue::fields() const {
  if (type_ != ParamType::object) misuse("object");
  return fields_;
}

const std::vector<ConfigValue>& ConfigValue::items() const {
  if (type_ != ParamType::list) misuse("list");
  return items_;
}

const std::string& ConfigValue::variant() const {
  if (type_ != ParamType::variant) misuse("variant");
  return fields_.front().first;
}

const ConfigValue& ConfigValue::variant_value() const {
  if (type_ != ParamType::variant) misuse("variant");
  return fields_.front().second;
}

std::string ConfigValue::to_yaml() const {
  if (is_inline(*this)) return inline_text(*this) + "\n";
  std::string out;
  write_block(out, *this, 0);
  return out;
}

}  // namespace cohort::engine
