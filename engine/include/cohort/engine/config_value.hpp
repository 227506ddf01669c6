#pragma once
// A validated configuration: a typed tree shaped by its ParamSpec, every key present (defaults
// filled in), each value knowing its key path and where it came from.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cohort/engine/param_spec.hpp"
#include "cohort/engine/source_location.hpp"

namespace cohort::engine {

/// One node of a validated config. Accessors check the type and throw std::logic_error naming
/// the key path on misuse, which is a programming error: validation already fixed the types.
class ConfigValue {
 public:
  /// bool, integer, real, string (string and choice) or byte count.
  using Scalar = std::variant<bool, std::int64_t, double, std::string, std::uint64_t>;
  using Fields = std::vector<std::pair<std::string, ConfigValue>>;

  /// An empty object at the root, for holders filled in later.
  ConfigValue();
  /// A deep copy. If an allocation fails part-way, it throws and nothing is left half-built
  /// (a copy-assigned value keeps its old contents).
  ConfigValue(const ConfigValue& other);
  ConfigValue& operator=(const ConfigValue& other);
  ConfigValue(ConfigValue&&) noexcept = default;
  ConfigValue& operator=(ConfigValue&&) noexcept = default;
  ~ConfigValue() = default;

  /// A boolean, integer, real, string, choice or bytes value; `scalar` must match `type`.
  static ConfigValue make_scalar(ParamType type, Scalar scalar, std::string path,
                                 SourceLocation location);
  static ConfigValue make_list(std::vector<ConfigValue> items, std::string path,
                               SourceLocation location);
  /// `fields` in schema order.
  static ConfigValue make_object(Fields fields, std::string path, SourceLocation location);
  /// The chosen alternative's name and its (object) value.
  static ConfigValue make_variant(std::string alternative, ConfigValue value, std::string path,
                                  SourceLocation location);

  ParamType type() const { return type_; }
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_real() const;
  /// A string or choice value.
  const std::string& as_string() const;
  std::uint64_t as_bytes() const;

  /// An object's field.
  const ConfigValue& at(std::string_view key) const;
  /// An object's field, or nullptr when the schema has no such key.
  const ConfigValue* find(std::string_view key) const;
  /// An object's fields in schema order.
  const Fields& fields() const;
  /// A list's items.
  const std::vector<ConfigValue>& items() const;
  /// A variant's chosen alternative name.
  const std::string& variant() const;
  /// A variant's chosen alternative's value (an object).
  const ConfigValue& variant_value() const;

  /// Key path from the root: "parameters.mutation.rate", "parameters.edges[3].weight".
  const std::string& path() const { return path_; }
  const SourceLocation& location() const { return location_; }

  /// Canonical YAML: keys in schema order, strings double-quoted, reals as %.17g (exact on
  /// reading back), block style. Equal configs give equal text, so it is what run hashes use.
  std::string to_yaml() const;

 private:
  ConfigValue(ParamType type, std::string path, SourceLocation location);
  [[noreturn]] void misuse(std::string_view wanted) const;

  ParamType type_;
  Scalar scalar_;
  Fields fields_;  // object fields; for a variant, the one {alternative, value} pair
  std::vector<ConfigValue> items_;
  std::string path_;
  SourceLocation location_;
};

}  // namespace cohort::engine
