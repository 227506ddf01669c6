#pragma once
// Runs a program as a child process and waits for it: how `cohort bench` isolates each run so
// its peak RSS is its own.

#include <filesystem>
#include <string>
#include <vector>

namespace cohort::cli {

/// How a child ended: its exit code, or the signal that killed it (then exit_code is -1).
struct ChildResult {
  int exit_code = -1;
  int signal = 0;
};

/// Starts `program args...` with stdout and stderr appended to `log` and waits for it. Throws
/// std::runtime_error if it cannot be started.
ChildResult run_child(const std::filesystem::path& program, const std::vector<std::string>& args,
                      const std::filesystem::path& log);

/// This program's own executable (/proc/self/exe).
std::filesystem::path self_executable();

}  // namespace cohort::cli
