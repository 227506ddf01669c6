#include "cohort/engine/byte_size.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace cohort::engine {

namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::uint64_t kKi = 1024;
constexpr std::array<Unit, 7> kUnits{{{"B", 1},
                                      {"KiB", kKi},
                                      {"MiB", kKi* kKi},
                                      {"GiB", kKi* kKi* kKi},
                                      {"KB", 1000},
                                      {"MB", 1000 * 1000},
                                      {"GB", 1000 * 1000 * 1000}}};

// Digits only, so "+5", "0x10" and "1e3" are not byte sizes.
std::optional<std::uint64_t> parse_digits(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  const std::size_t number_end = text.find_first_not_of("0123456789.");
  std::string_view number = text.substr(0, number_end);
  std::string_view unit_name =
      number_end == std::string_view::npos ? std::string_view{} : text.substr(number_end);
  if (unit_name.starts_with(' ')) unit_name.remove_prefix(1);

  std::uint64_t factor = 1;
  if (!unit_name.empty()) {
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits)
      if (u.name == unit_name) unit = &u;
    if (unit == nullptr) return std::nullopt;
    factor = unit->factor;
  }

  // Exact decimal arithmetic, so "1.1 MB" is 1100000 and not 1100000.0000000002.
  const std::size_t dot = number.find('.');
  const auto whole = parse_digits(number.substr(0, dot));
  if (!whole) return std::nullopt;
  std::uint64_t fraction_bytes = 0;
  if (dot != std::string_view::npos) {
    const std::string_view digits = number.substr(dot + 1);
    constexpr std::size_t kMaxFractionDigits = 9;  // keeps digits * factor within 64 bits
    if (digits.size() > kMaxFractionDigits) return std::nullopt;
    const auto fraction = parse_digits(digits);
    if (!fraction) return std::nullopt;
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < digits.size(); ++i)
      scale *= 10;
    if ((*fraction * factor) % scale != 0) return std::nullopt;  // not a whole number of bytes
    fraction_bytes = *fraction * factor / scale;
  }
  if (*whole > (std::numeric_limits<std::uint64_t>::max() - fraction_bytes) / factor)
    return std::nullopt;
  return *whole * factor + fraction_bytes;
}

std::string format_byte_size(std::uint64_t bytes) {
  // Binary units first, largest first, then the decimal ones; plain bytes when none divides.
  constexpr std::array<std::size_t, 6> kPreference{3, 2, 1, 6, 5, 4};
  if (bytes != 0)
    for (std::size_t i : kPreference)
      if (bytes % kUnits[i].factor == 0)
        return std::to_string(bytes / kUnits[i].factor) + " " + std::string(kUnits[i].name);
  return std::to_string(bytes) + " B";
}

}  // namespace cohort::engine
