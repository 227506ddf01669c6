#pragma once
// What a component column holds, field by field, so outputs (per-agent snapshots) can write any
// population's columns as numbers without knowing the model's types. Arithmetic components
// describe themselves; a struct component is described once by its model with field().

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace cohort::engine {

/// The arithmetic type of one field.
enum class FieldType : std::uint8_t { boolean, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64 };

/// One number inside a column's value: its name (empty for the one field of an arithmetic
/// column), type and byte offset in the value.
struct ColumnField {
  std::string name;
  FieldType type = FieldType::f64;
  std::uint32_t offset = 0;
};

/// The FieldType of an arithmetic type.
template <class T>
constexpr FieldType field_type_of() {
  static_assert(std::is_arithmetic_v<T>, "a field is a number or a bool");
  if constexpr (std::is_same_v<T, bool>)
    return FieldType::boolean;
  else if constexpr (std::is_floating_point_v<T>)
    return sizeof(T) == 4 ? FieldType::f32 : FieldType::f64;
  else if constexpr (sizeof(T) == 1)
    return std::is_signed_v<T> ? FieldType::i8 : FieldType::u8;
  else if constexpr (sizeof(T) == 2)
    return std::is_signed_v<T> ? FieldType::i16 : FieldType::u16;
  else if constexpr (sizeof(T) == 4)
    return std::is_signed_v<T> ? FieldType::i32 : FieldType::u32;
  else
    return std::is_signed_v<T> ? FieldType::i64 : FieldType::u64;
}

/// Describes the member `member` of struct S as a field named `name`:
///   pop.describe(cell, {field("x", &Cell::x), field("y", &Cell::y)});
template <class S, class M>
ColumnField field(std::string name, M S::*member) {
  static_assert(std::is_default_constructible_v<S> && std::is_arithmetic_v<M>);
  static const S probe{};
  const auto* base = reinterpret_cast<const std::byte*>(&probe);
  const auto* at = reinterpret_cast<const std::byte*>(&(probe.*member));
  return {std::move(name), field_type_of<M>(), static_cast<std::uint32_t>(at - base)};
}

/// Appends the value of `f` inside the value at `value` to `out`, as the shortest text that
/// reads back exactly (integers as integers, bools as 0/1).
void append_field(std::string& out, const ColumnField& f, const std::byte* value);

}  // namespace cohort::engine
