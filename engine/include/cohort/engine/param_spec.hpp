#pragma once
// The typed schema a configuration is validated against: what each key is, its default and
// its allowed values. Models declare their parameters with it; `cohort models` prints it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Models include this header to declare their parameters; yaml-cpp stays out of their includes.
namespace YAML {
class Node;
}  // namespace YAML

namespace cohort::engine {

/// The kinds of value a parameter can hold.
enum class ParamType {
  boolean,  ///< true or false
  integer,  ///< a signed 64-bit whole number
  real,     ///< a finite double; integers are accepted
  string,   ///< any scalar text
  bytes,    ///< a byte size, 16384 or "64 KiB" (see parse_byte_size)
  choice,   ///< one of a fixed set of strings
  list,     ///< a sequence of `element` values
  object,   ///< a map with the fixed keys `fields`
  variant,  ///< one of `alternatives`: `{name: {fields}}`, or `name` when it needs no fields
};

/// Lower-case name of a type, as shown in help: "integer", "bytes", ...
std::string_view type_name(ParamType type);

/// One parameter of a schema, built with the static functions and chained modifiers:
///   ParamSpec::real("rate", 0.1, "mutation probability per gene").range(0, 1)
/// A parameter without a default is required, except an object whose fields all have defaults.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::object;
  std::string help;
  /// Used when the key is absent or null; held as YAML so it is validated like user input.
  std::shared_ptr<const YAML::Node> default_value;
  /// Inclusive bounds of the value (integer, real, bytes) or of a list's length.
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::vector<std::string> choices;          ///< choice: the allowed strings
  std::vector<ParamSpec> fields;             ///< object: its keys, in the order they are serialised
  std::vector<ParamSpec> alternatives;       ///< variant: object specs named after each alternative
  std::shared_ptr<const ParamSpec> element;  ///< list: the spec of every item

  static ParamSpec boolean(std::string name, std::optional<bool> fallback, std::string help);
  static ParamSpec integer(std::string name, std::optional<std::int64_t> fallback,
                           std::string help);
  static ParamSpec real(std::string name, std::optional<double> fallback, std::string help);
  static ParamSpec string(std::string name, std::optional<std::string> fallback, std::string help);
  static ParamSpec bytes(std::string name, std::optional<std::uint64_t> fallback, std::string help);
  static ParamSpec choice(std::string name, std::optional<std::string> fallback,
                          std::vector<std::string> choices, std::string help);
  /// Optional (defaulting to `{}`) when every field has a default.
  static ParamSpec object(std::string name, std::vector<ParamSpec> fields, std::string help);
  /// `fallback` names the default alternative, whose fields must then all have defaults.
  static ParamSpec variant(std::string name, std::optional<std::string> fallback,
                           std::vector<ParamSpec> alternatives, std::string help);
  /// Required unless given a default with `with_default("[]")`.
  static ParamSpec list(std::string name, ParamSpec element, std::string help);

  /// Inclusive lower bound of the value, or of a list's length.
  ParamSpec min(double lowest) &&;
  /// Inclusive upper bound of the value, or of a list's length.
  ParamSpec max(double highest) &&;
  ParamSpec range(double lowest, double highest) &&;
  /// Drops the default, so the key must be given.
  ParamSpec required() &&;
  /// Sets the default from YAML text, e.g. "[]" for a list or "{linear: {slope: 2}}".
  ParamSpec with_default(std::string_view yaml) &&;

  /// The field or alternative called `key`, or nullptr.
  const ParamSpec* find_field(std::string_view key) const;
  const ParamSpec* find_alternative(std::string_view key) const;
};

/// What a valid value looks like, for error messages: "a real number in [0, 1]",
/// "one of fail, freeze", "a byte size >= 1 KiB", "a list of at least 1 item".
std::string describe_expected(const ParamSpec& spec);

/// Help text for a spec and everything nested in it, one line per parameter indented by
/// nesting: `rate (real in [0, 1], default 0.1): mutation probability per gene`.
std::string render_help(const ParamSpec& spec, int indent = 0);

}  // namespace cohort::engine
