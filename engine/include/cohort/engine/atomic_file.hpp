#pragma once
// Writing an output file so that readers never see half of it.

#include <filesystem>
#include <string_view>

namespace cohort::engine {

/// Writes `content` to a temporary file beside `path`, flushes it, then renames it over `path`.
/// Throws std::filesystem::filesystem_error naming the path and the system error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace cohort::engine
