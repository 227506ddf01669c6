#pragma once
// Running the built `cohort` binary from tests: a child process with its output in files, and
// the random_walk configs the CLI tests use.
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
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

#ifndef COHORT_BINARY
#error "COHORT_BINARY must name the cohort executable"
#endif
#ifndef COHORT_SOURCE_DIR
#error "COHORT_SOURCE_DIR must name the repository root"
#endif

extern char** environ;

namespace cohort::testing::cli {

namespace fs = std::filesystem;

// The interrupted run: big enough to take about a second after the first step, so the signal
// lands mid-run. Sanitized builds are 5-10x slower, so they run a smaller world.
#ifdef COHORT_SANITIZED
inline constexpr int kLongWalkers = 20000;
#else
inline constexpr int kLongWalkers = 100000;
#endif
inline constexpr int kLongSteps = 200;

using cohort::testing::TempDir;

inline std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
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
  /// Starts `cohort args...` in `cwd` (the test's own if empty) with `env` ("NAME=value") added
  /// to the environment; output files go to `logs`.
  Process(const std::vector<std::string>& args, const fs::path& logs, const fs::path& cwd = {},
          const std::vector<std::string>& env = {}) {
    static int runs = 0;  // one counter per test program: log names never repeat
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
    sigaddset(&defaults, SIGHUP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<std::string> env_s = env;
    std::vector<char*> envp;
    for (std::string& e : env_s)
      envp.push_back(e.data());
    for (char** e = environ; *e != nullptr; ++e)
      envp.push_back(*e);
    envp.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), envp.data());
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

  pid_t pid() const { return pid_; }
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
                         const fs::path& cwd = {}, const std::vector<std::string>& env = {}) {
  return Process(args, logs.path(), cwd, env).wait();
}

// A random_walk config writing to `out`.
struct Config {
  int walkers = 2000;
  int steps = 25;
  int every = 4;
  std::string budget = "{hard: 320B, soft: 0.9, low_water: 0.85}";
  std::string on_refusal = "freeze";
  int trail_capacity = 64;
};

inline fs::path write_config(const TempDir& dir, const std::string& name, const Config& c) {
  const fs::path file = dir / name;
  write_file(file, "model: random_walk\nseed: 11\nsteps: " + std::to_string(c.steps) +
                       "\nthreads: 1\noutput:\n  dir: " + (dir / "default_out").string() +
                       "\n  every: " + std::to_string(c.every) +
                       "\npopulations:\n  walkers:\n    size: " + std::to_string(c.walkers) +
                       "\n    budget: " + c.budget + "\n    on_refusal: " + c.on_refusal +
                       "\nparameters:\n  width: 120\n  height: 90\n  move_probability: 0.9\n"
                       "  birth_rate: 0.01\n  death_rate: 0.01\n  trail_capacity: " +
                       std::to_string(c.trail_capacity) + "\n");
  return file;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline const std::string kMetricsHeader =
    "step,walkers,mean_squared_displacement,mean_x,mean_y,trail_bytes_per_walker,frozen_trails";

}  // namespace cohort::testing::cli
