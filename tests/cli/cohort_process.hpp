#pragma once
// Runs the built `cohort` program from a test through the CLI's own child-process code (the one
// `cohort bench` and `cohort sweep` use), and small file helpers for checking what it wrote.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "support/temp_dir.hpp"

#ifndef COHORT_BINARY
#error "COHORT_BINARY must name the cohort executable"
#endif

namespace cohort::testing::cli {

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

// A running `cohort` process with stdout and stderr going to files, started by the CLI's own
// child-process code (the one `cohort bench` and `cohort sweep` use).
class Process {
 public:
  /// Starts `cohort args...` in `cwd` (the test's own if empty); output files go to `logs`.
  Process(const std::vector<std::string>& args, const fs::path& logs, const fs::path& cwd = {})
      : out_(logs / ("stdout." + std::to_string(++runs_))),
        err_(logs / ("stderr." + std::to_string(runs_))),
        child_(COHORT_BINARY, args, {.out = out_, .err = err_, .append = false, .cwd = cwd}) {}

  /// Sends `sig` to the process; false if it has already ended (never signals anything else).
  bool signal(int sig) { return child_.signal(sig); }
  bool running() { return child_.running(); }
  std::string err_so_far() const { return read_file(err_); }

  /// Waits for the process to end.
  Result wait() {
    const cohort::cli::ChildResult c = child_.wait();
    return {c.exit_code, c.signal, read_file(out_), read_file(err_)};
  }

 private:
  static inline int runs_ = 0;
  fs::path out_, err_;
  cohort::cli::ChildProcess child_;
};

// Runs `cohort args...` to completion.
inline Result run_cohort(const TempDir& logs, const std::vector<std::string>& args,
                         const fs::path& cwd = {}) {
  return Process(args, logs.path(), cwd).wait();
}

}  // namespace cohort::testing::cli
