#include "gzip_members.hpp"

#include <zlib.h>

#include <stdexcept>

namespace cohort::engine {

namespace {
constexpr int kGzipWindow = 15 + 16;  // 2^15 window, gzip header and trailer
}  // namespace

std::string gzip_member(std::string_view text) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: cannot start compressing");
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib: cannot compress a snapshot");
  return out;
}

std::vector<GzipMember> read_gzip_members(std::string_view bytes) {
  std::vector<GzipMember> members;
  std::size_t at = 0;
  char buffer[1 << 16];
  while (at < bytes.size()) {
    z_stream z{};
    if (inflateInit2(&z, kGzipWindow) != Z_OK) break;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + at));
    z.avail_in = static_cast<uInt>(bytes.size() - at);
    GzipMember m;
    int status = Z_OK;
    while (status == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      status = inflate(&z, Z_NO_FLUSH);
      m.text.append(buffer, sizeof buffer - z.avail_out);
    }
    const std::size_t used = bytes.size() - at - z.avail_in;
    inflateEnd(&z);
    if (status != Z_STREAM_END) break;  // torn (a write cut short) or not gzip
    at += used;
    m.end = at;
    members.push_back(std::move(m));
  }
  return members;
}

}  // namespace cohort::engine
