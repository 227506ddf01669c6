#pragma once
// Byte sizes as people write them in configs: 16384, "64 KiB", "1.5 GB".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cohort::engine {

/// Parses a whole number of bytes, optionally with a unit: B, KiB, MiB, GiB (powers of 1024) or
/// KB, MB, GB (powers of 1000), with or without a space. A fraction is allowed when the result is
/// a whole number of bytes ("1.5 KiB" = 1536). Returns nothing for anything else or on overflow.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

/// An exact spelling that parse_byte_size reads back: the largest unit dividing `bytes` evenly,
/// binary first ("16 KiB", "2 GiB", "3 MB", "1500 B").
std::string format_byte_size(std::uint64_t bytes);

}  // namespace cohort::engine
