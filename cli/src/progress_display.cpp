#include "progress_display.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "cohort/memory/report.hpp"

namespace cohort::cli {

ProgressDisplay::ProgressDisplay(bool terminal, bool quiet, std::chrono::seconds log_interval)
    : terminal_(terminal), quiet_(quiet), log_interval_(log_interval) {}

void ProgressDisplay::update(const engine::Progress& p) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = p.step == p.steps;
  const auto interval = terminal_
                            ? std::chrono::milliseconds(100)
                            : std::chrono::duration_cast<std::chrono::milliseconds>(log_interval_);
  if (!last && drawn_ && now - last_draw_ < interval) return;
  last_draw_ = now;
  drawn_ = true;
  const double fraction = p.steps ? static_cast<double>(p.step) / static_cast<double>(p.steps) : 1;
  const double eta =
      p.steps_per_second > 0 ? static_cast<double>(p.steps - p.step) / p.steps_per_second : 0.0;
  const std::string memory = memory::format_bytes(static_cast<double>(p.accounted_bytes));
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r[%s%s] step %llu/%llu  %.1f steps/s  ETA %.1fs  memory %s   ",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(),
                 static_cast<unsigned long long>(p.step), static_cast<unsigned long long>(p.steps),
                 p.steps_per_second, eta, memory.c_str());
    std::fflush(stderr);
  } else {
    spdlog::info("step {}/{} ({:.0f}%), {:.1f} steps/s, ETA {:.1f}s, accounted memory {}", p.step,
                 p.steps, 100 * fraction, p.steps_per_second, eta, memory);
  }
}

void ProgressDisplay::finish() {
  if (terminal_ && drawn_ && !quiet_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace cohort::cli
