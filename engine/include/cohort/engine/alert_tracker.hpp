#pragma once
// Turns a sampled value into alert events: each threshold crossing is reported once, and re-arms
// only after the value falls clearly below it (hysteresis), so a value hovering at a threshold
// does not flood the log.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/monitor_settings.hpp"

namespace cohort::engine {

/// How serious a threshold is, in rising order (the index of its threshold in AlertLevels).
enum class AlertLevel : std::uint8_t { info, warning, critical };

/// "info", "warning" or "critical": the name in configs, run.json and logs.
const char* to_string(AlertLevel level);
/// The level named `name`, or nullopt if it names none (reading run.json back).
std::optional<AlertLevel> alert_level_named(std::string_view name);

/// One crossing of a threshold.
struct AlertEvent {
  std::uint64_t step = 0;
  std::string metric;  ///< "rss", "accounted", "over_soft_share", or another rank's "rank<R>:rss" /
                       ///< "rank<R>:accounted"
  AlertLevel level = AlertLevel::info;
  bool raised = true;  ///< false: the value fell back below threshold * (1 - hysteresis)
  double value = 0;
  double threshold = 0;
};

/// Watches one quantity against its info/warning/critical thresholds.
class AlertTracker {
 public:
  AlertTracker(std::string metric, AlertLevels levels, double hysteresis);
  /// Feeds one sample; appends any crossings to `events`.
  void update(std::uint64_t step, double value, std::vector<AlertEvent>& events);

 private:
  std::string metric_;
  std::array<std::optional<double>, 3> thresholds_;
  std::array<bool, 3> active_{};
  double hysteresis_;
};

}  // namespace cohort::engine
