#pragma once
// The `cohort` program's exit codes (documented in the README and `cohort --help`).

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

}  // namespace cohort::cli
