#pragma once
// Runs the built `cohort` binary as a child process (no shell: arguments are passed as they are)
// and collects how it ended and what it printed. Shared by the end-to-end suites; the including
// target defines COHORT_BINARY.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

#ifndef COHORT_BINARY
#error "COHORT_BINARY must name the cohort executable"
#endif

extern char** environ;

namespace cohort::testing {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// How a finished `cohort` process ended and what it printed.
struct Result {
  int exit_code = -1;  ///< -1 when it did not exit normally
  int signal = 0;      ///< the signal that ended it, if one did
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.exit_code << " signal " << r.signal << "\n--- stdout\n"
            << r.out << "--- stderr\n"
            << r.err;
}

// A running `cohort` process with stdout and stderr going to files.
class Process {
 public:
  /// Starts `cohort args...` in `cwd` (the test's own if empty); output files go to `logs`.
  Process(const std::vector<std::string>& args, const fs::path& logs, const fs::path& cwd = {}) {
    static int runs = 0;
    const std::string n = std::to_string(++runs);
    out_ = logs / ("stdout." + n);
    err_ = logs / ("stderr." + n);
    std::vector<std::string> argv_s{COHORT_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    // The child starts with SIGINT and SIGTERM at their defaults and unblocked, whatever the
    // test runner did with them.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, "cannot start " << COHORT_BINARY << ": " << std::strerror(rc));
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// Sends `sig` to the process; false if it has already ended (never signals anything else).
  bool signal(int sig) const { return running() && ::kill(pid_, sig) == 0; }
  bool running() const {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    reap(status);
    return false;
  }
  std::string err_so_far() const { return read_file(err_); }

  /// Waits for the process to end.
  Result wait() {
    if (pid_ > 0) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      reap(status);
    }
    Result r = result_;
    r.out = read_file(out_);
    r.err = read_file(err_);
    return r;
  }

 private:
  void reap(int status) const {
    pid_ = -1;
    if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  }

  mutable pid_t pid_ = -1;
  mutable Result result_;
  fs::path out_, err_;
};

// Runs `cohort args...` to completion.
inline Result run_cohort(const TempDir& logs, const std::vector<std::string>& args,
                         const fs::path& cwd = {}) {
  return Process(args, logs.path(), cwd).wait();
}

}  // namespace cohort::testing
