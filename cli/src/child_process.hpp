#pragma once
// Runs programs as child processes: how `cohort bench` and `cohort sweep` isolate each run (its
// peak RSS is its own, a crash is its own), and how the CLI tests drive the built program.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace cohort::cli {

/// How a child ended: its exit code, or the signal that killed it (then exit_code is -1).
struct ChildResult {
  int exit_code = -1;
  int signal = 0;
};

/// Where a child's output goes and where it runs.
struct ChildStreams {
  std::filesystem::path out;  ///< stdout (and stderr when `err` is empty)
  std::filesystem::path err;  ///< stderr, or empty for "with stdout"
  bool append = true;         ///< append to the files, else truncate them
  std::filesystem::path cwd;  ///< working directory, or empty for this process's
};

/// A started child process. Its stdin is /dev/null, and it starts with SIGINT and SIGTERM at
/// their defaults and unblocked, whatever this process did with them. A child still running
/// when its ChildProcess is destroyed is killed (SIGKILL) and reaped, so none is left behind.
class ChildProcess {
 public:
  /// Starts `program args...`. Throws std::runtime_error if it cannot be started.
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const ChildStreams& streams);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// True until the child has ended (reaps it when it has).
  bool running();
  /// Sends `sig`; false if the child has already ended (never signals a reused pid).
  bool signal(int sig);
  /// Waits for the child to end.
  ChildResult wait();

 private:
  void reap(int status);

  pid_t pid_ = -1;
  ChildResult result_;
};

/// Starts `program args...` with stdout and stderr appended to `log` and waits for it. Throws
/// std::runtime_error if it cannot be started.
ChildResult run_child(const std::filesystem::path& program, const std::vector<std::string>& args,
                      const std::filesystem::path& log);

/// This program's own executable (/proc/self/exe).
std::filesystem::path self_executable();

}  // namespace cohort::cli
