#pragma once
// Shows a run's progress: a redrawn bar on a terminal, periodic log lines otherwise.

#include <chrono>

#include "cohort/engine/simulation.hpp"

namespace cohort::cli {

/// Receives Progress after each step and decides what, if anything, to show.
class ProgressDisplay {
 public:
  /// `terminal`: draw a bar on stderr; otherwise log a line every `log_interval`.
  ProgressDisplay(bool terminal, bool quiet,
                  std::chrono::seconds log_interval = std::chrono::seconds(10));
  void update(const engine::Progress& p);
  /// Ends the bar's line so later output starts cleanly.
  void finish();

 private:
  bool terminal_;
  bool quiet_;
  std::chrono::seconds log_interval_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace cohort::cli
