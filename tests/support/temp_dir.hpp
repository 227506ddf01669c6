#pragma once
// A fresh temporary directory for one test, removed with it. Shared by every suite.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace cohort::testing {

/// A directory under the system temp dir, unique per process and instance; deleted on
/// destruction. `prefix` says which suite made it, for anyone inspecting a crashed run.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cohort_test") {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  std::string str(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace cohort::testing
