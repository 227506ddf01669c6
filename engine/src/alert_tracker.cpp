#include "cohort/engine/alert_tracker.hpp"

namespace cohort::engine {

namespace {
constexpr std::array<const char*, 3> kLevelNames{"info", "warning", "critical"};
}  // namespace

const char* to_string(AlertLevel level) {
  return kLevelNames[static_cast<std::size_t>(level)];
}

std::optional<AlertLevel> alert_level_named(std::string_view name) {
  for (std::size_t l = 0; l < kLevelNames.size(); ++l)
    if (name == kLevelNames[l]) return static_cast<AlertLevel>(l);
  return std::nullopt;
}

AlertTracker::AlertTracker(std::string metric, AlertLevels levels, double hysteresis)
    : metric_(std::move(metric)),
      thresholds_{levels.info, levels.warning, levels.critical},
      hysteresis_(hysteresis) {}

void AlertTracker::update(std::uint64_t step, double value, std::vector<AlertEvent>& events) {
  for (std::size_t l = 0; l < thresholds_.size(); ++l) {
    if (!thresholds_[l]) continue;
    const double t = *thresholds_[l];
    if (!active_[l] && value >= t) {
      active_[l] = true;
      events.push_back({step, metric_, static_cast<AlertLevel>(l), true, value, t});
    } else if (active_[l] && value < t * (1 - hysteresis_)) {
      active_[l] = false;
      events.push_back({step, metric_, static_cast<AlertLevel>(l), false, value, t});
    }
  }
}

}  // namespace cohort::engine
