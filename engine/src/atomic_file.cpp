#include "cohort/engine/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

namespace cohort::engine {

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  // A filesystem_error (a runtime_error), so callers report it as an I/O failure.
  auto fail = [&](const std::string& what) {
    const std::error_code reason(errno, std::generic_category());
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::filesystem::filesystem_error("cannot write " + path.string() + ": " + what, path,
                                            reason);
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) fail("cannot create " + tmp.string());
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  if (std::fclose(f) != 0 || !written || !flushed) fail("write failed");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename failed");
}

}  // namespace cohort::engine
