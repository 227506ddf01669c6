#pragma once
// `cohort profiles list | show ID | compare A B | trend NAME`: the history of runs and
// regression checks against it.

#include <string>

namespace cohort::cli {

/// Options of `cohort profiles`.
struct ProfilesOptions {
  std::string dir;           ///< the store ("" = the default under the XDG cache directory)
  std::string action;        ///< list, show, compare, trend
  std::string first;         ///< ID (show, compare's baseline) or NAME (trend)
  std::string second;        ///< compare's candidate
  std::size_t baseline = 5;  ///< trend: runs in the baseline
  double tolerance = 0.10;   ///< worse than the baseline by more than this is a regression
  bool fail_on_regression = false;
};

/// Runs the action; returns an exit code (kRegression on a regression when asked).
int profiles_command(const ProfilesOptions& options);

}  // namespace cohort::cli
