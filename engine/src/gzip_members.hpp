#pragma once
// Multi-member gzip: a file that grows by whole gzip members, each complete on its own, so it can
// be appended to, flushed, cut back to a member boundary, and still read by any gzip reader
// (gzip, zcat, pandas) as one stream. zlib does the compression.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::engine {

/// `text` as one gzip member (fast compression: snapshots are written while the run waits).
std::string gzip_member(std::string_view text);

/// One member of a gzip file: where it ends in the file and what it holds.
struct GzipMember {
  std::size_t end = 0;
  std::string text;
};

/// Every whole member of `bytes`, in order; stops at the first torn or invalid one.
std::vector<GzipMember> read_gzip_members(std::string_view bytes);

}  // namespace cohort::engine
