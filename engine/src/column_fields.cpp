#include "cohort/engine/column_fields.hpp"

#include <charconv>
#include <cstring>

namespace cohort::engine {

namespace {

template <class T>
void append_number(std::string& out, const std::byte* at) {
  T v;
  std::memcpy(&v, at, sizeof v);  // fields of packed structs need not be aligned
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

}  // namespace

void append_field(std::string& out, const ColumnField& f, const std::byte* value) {
  const std::byte* at = value + f.offset;
  switch (f.type) {
    case FieldType::boolean:
      out += std::to_integer<unsigned>(*at) != 0 ? '1' : '0';
      return;
    case FieldType::i8:
      return append_number<std::int8_t>(out, at);
    case FieldType::u8:
      return append_number<std::uint8_t>(out, at);
    case FieldType::i16:
      return append_number<std::int16_t>(out, at);
    case FieldType::u16:
      return append_number<std::uint16_t>(out, at);
    case FieldType::i32:
      return append_number<std::int32_t>(out, at);
    case FieldType::u32:
      return append_number<std::uint32_t>(out, at);
    case FieldType::i64:
      return append_number<std::int64_t>(out, at);
    case FieldType::u64:
      return append_number<std::uint64_t>(out, at);
    case FieldType::f32:
      return append_number<float>(out, at);
    case FieldType::f64:
      return append_number<double>(out, at);
  }
}

}  // namespace cohort::engine
