#pragma once
// The `cohort` program's exit codes: the one place they are written. `cohort --help` prints its
// footer from kExitCodes, and a test checks the README's table against it.

#include <array>
#include <string>

namespace cohort::cli {

enum ExitCode : int {
  kOk = 0,
  kInternalError = 1,  ///< a bug: an unexpected exception
  kBadInput = 2,       ///< bad command line or configuration
  kBudgetRefusal = 3,  ///< an agent's memory budget refused an allocation (on_refusal: fail)
  kIoError = 4,        ///< a file could not be read or written, or a checkpoint is unusable
  kInterrupted = 5,    ///< SIGINT/SIGTERM/SIGHUP: a checkpoint was written, resume with --resume
  kLeakDetected = 6,   ///< the memory monitor detected a leak and --fail-on-leak was given
  kRegression = 7,     ///< `cohort profiles` found a regression and --fail-on-regression was given
  kOutOfMemory = 8,    ///< the system could not provide memory (not a budget refusal)
};

/// An exit code and what it means, in the words of `cohort --help` and the README.
struct ExitCodeMeaning {
  ExitCode code;
  const char* meaning;
};

inline constexpr std::array<ExitCodeMeaning, 9> kExitCodes{{
    {kOk, "ok"},
    {kInternalError, "internal error"},
    {kBadInput, "bad command line, config or plugin"},
    {kBudgetRefusal, "memory budget refusal"},
    {kIoError, "I/O or checkpoint error"},
    {kInterrupted, "interrupted (checkpoint written)"},
    {kLeakDetected, "memory leak detected (run --fail-on-leak)"},
    {kRegression, "regression (profiles --fail-on-regression)"},
    {kOutOfMemory, "out of memory (the system refused an allocation)"},
}};

/// "Exit codes: 0 ok, 1 internal error, ..." for `cohort --help`.
inline std::string exit_codes_footer() {
  std::string text = "Exit codes:";
  for (const ExitCodeMeaning& e : kExitCodes)
    text += (e.code == kOk ? " " : ", ") + std::to_string(e.code) + " " + e.meaning;
  return text + ".";
}

}  // namespace cohort::cli
