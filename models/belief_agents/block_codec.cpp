#include "block_codec.hpp"

#include <lz4.h>
#include <zstd.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cohort::models::belief {

namespace {

// zstd level 1: small blocks gain little from higher levels, which cost several times the time.
constexpr int kZstdLevel = 1;

struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

// One context pair per thread: creating them per block would cost more than compressing.
ZstdContexts& zstd_contexts() {
  thread_local ZstdContexts ctx;
  return ctx;
}

// Rearranges columns of fixed-width elements into byte planes (byte 0 of every element, then
// byte 1, ...), column by column. `widths` holds (width, count) pairs.
void shuffle(std::span<const std::byte> src, std::span<const std::uint32_t> widths, std::byte* dst,
             bool inverse) {
  std::size_t offset = 0;
  for (std::size_t c = 0; c + 1 < widths.size(); c += 2) {
    const std::size_t width = widths[c], count = widths[c + 1];
    for (std::size_t i = 0; i < count; ++i)
      for (std::size_t b = 0; b < width; ++b) {
        const std::size_t packed = offset + i * width + b, planar = offset + b * count + i;
        if (inverse)
          dst[packed] = src[planar];
        else
          dst[planar] = src[packed];
      }
    offset += width * count;
  }
  for (std::size_t i = offset; i < src.size(); ++i)
    dst[i] = src[i];
}

std::vector<std::byte>& scratch(std::size_t bytes) {
  thread_local std::vector<std::byte> buffer;
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer;
}

}  // namespace

Codec parse_codec(std::string_view name) {
  if (name == "lz4") return Codec::lz4;
  if (name == "zstd") return Codec::zstd;
  throw std::invalid_argument("unknown codec '" + std::string(name) + "'");
}

std::size_t compress_bound(Codec codec, std::size_t bytes) {
  return codec == Codec::lz4 ? static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(bytes)))
                             : ZSTD_compressBound(bytes);
}

std::size_t compress_block(Codec codec, std::span<const std::byte> src,
                           std::span<const std::uint32_t> widths, std::span<std::byte> dst) {
  std::vector<std::byte>& planes = scratch(src.size());
  shuffle(src, widths, planes.data(), false);
  if (codec == Codec::lz4) {
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(planes.data()),
                                       reinterpret_cast<char*>(dst.data()),
                                       static_cast<int>(src.size()), static_cast<int>(dst.size()));
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  const std::size_t n = ZSTD_compressCCtx(zstd_contexts().c, dst.data(), dst.size(), planes.data(),
                                          src.size(), kZstdLevel);
  return ZSTD_isError(n) ? 0 : n;
}

bool decompress_block(Codec codec, std::span<const std::byte> src,
                      std::span<const std::uint32_t> widths, std::span<std::byte> dst) {
  std::vector<std::byte>& planes = scratch(dst.size());
  if (codec == Codec::lz4) {
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src.data()),
                                      reinterpret_cast<char*>(planes.data()),
                                      static_cast<int>(src.size()), static_cast<int>(dst.size()));
    if (n != static_cast<int>(dst.size())) return false;
  } else {
    const std::size_t n =
        ZSTD_decompressDCtx(zstd_contexts().d, planes.data(), dst.size(), src.data(), src.size());
    if (ZSTD_isError(n) || n != dst.size()) return false;
  }
  shuffle(std::span<const std::byte>(planes.data(), dst.size()), widths, dst.data(), true);
  return true;
}

}  // namespace cohort::models::belief
