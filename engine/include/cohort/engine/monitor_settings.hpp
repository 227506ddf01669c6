#pragma once
// The `monitor:` section of a run config: sampling interval, alert thresholds and the leak rule.

#include <cstdint>
#include <optional>

#include "cohort/engine/config_value.hpp"
#include "cohort/engine/leak_detector.hpp"
#include "cohort/engine/param_spec.hpp"

namespace cohort::engine {

/// Thresholds of one monitored quantity, in its own unit (bytes, or a share in [0, 1]).
struct AlertLevels {
  std::optional<double> info;
  std::optional<double> warning;
  std::optional<double> critical;
};

/// How a run is monitored (see monitor_schema for the keys).
struct MonitorSettings {
  std::uint64_t every = 10;     ///< sample every this many steps
  std::uint64_t limit = 0;      ///< bytes that "80%" thresholds refer to (0 = none)
  AlertLevels rss;              ///< bytes of resident memory
  AlertLevels accounted;        ///< bytes the accountant counts as used
  AlertLevels over_soft_share;  ///< share of agents above their soft budget
  double hysteresis = 0.05;     ///< an alert re-arms after falling this share below its threshold
  LeakCriteria leak;
};

/// The schema of the `monitor:` object.
ParamSpec monitor_schema();

/// Reads a validated `monitor:` object. Thresholds are byte sizes ("2GiB") or percentages of
/// `limit` ("80%") for rss and accounted, and fractions ("0.1") or percentages ("10%") for
/// over_soft_share; "" disables a level. Throws ConfigError naming the key of a bad threshold.
MonitorSettings monitor_settings_from(const ConfigValue& monitor);

}  // namespace cohort::engine
