#pragma once
// Compression of history blocks: a byte-plane shuffle of the fixed-width columns (so the slowly
// changing high bytes of doubles line up), then lz4 or zstd. A block that does not shrink is
// kept raw by the caller.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cohort::models::belief {

/// The compressor of history blocks.
enum class Codec : std::uint8_t { lz4 = 0, zstd = 1 };

/// "lz4" or "zstd"; throws std::invalid_argument otherwise.
Codec parse_codec(std::string_view name);

/// Upper bound of compress()'s output for `bytes` of input.
std::size_t compress_bound(Codec codec, std::size_t bytes);
/// Compresses `src` (after the shuffle of `widths`: the raw block's columns as (element width,
/// element count) pairs) into `dst`; returns the compressed size, or 0 if it failed.
std::size_t compress_block(Codec codec, std::span<const std::byte> src,
                           std::span<const std::uint32_t> widths, std::span<std::byte> dst);
/// Inverse of compress_block; `dst` has the raw size. Returns false on corrupt input.
bool decompress_block(Codec codec, std::span<const std::byte> src,
                      std::span<const std::uint32_t> widths, std::span<std::byte> dst);

}  // namespace cohort::models::belief
