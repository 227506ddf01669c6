// Alert thresholds: each crossing reported once, re-armed only below the hysteresis band, and
// monitor config thresholds as byte sizes, percentages of a limit, or shares.
#include <doctest/doctest.h>

#include <vector>

#include "cohort/engine/alert_tracker.hpp"

using namespace cohort::engine;

TEST_CASE("a crossing is reported once while the value hovers at the threshold") {
  AlertTracker t("rss", {100.0, 200.0, 300.0}, 0.1);
  std::vector<AlertEvent> events;
  for (double v : {50.0, 101.0, 99.0, 100.0, 95.0, 100.0})
    t.update(0, v, events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].level == AlertLevel::info);
  CHECK(events[0].raised);
  CHECK(events[0].value == 101.0);
}

TEST_CASE("an alert re-arms after falling below threshold * (1 - hysteresis)") {
  AlertTracker t("accounted", {100.0, std::nullopt, std::nullopt}, 0.1);
  std::vector<AlertEvent> events;
  std::uint64_t step = 0;
  for (double v : {120.0, 89.0, 120.0})
    t.update(++step, v, events);
  REQUIRE(events.size() == 3);
  CHECK(events[0].raised);
  CHECK_FALSE(events[1].raised);
  CHECK(events[1].step == 2);
  CHECK(events[2].raised);
}

TEST_CASE("one jump past several thresholds reports each level once") {
  AlertTracker t("over_soft_share", {0.1, 0.2, 0.5}, 0.05);
  std::vector<AlertEvent> events;
  t.update(7, 0.6, events);
  REQUIRE(events.size() == 3);
  CHECK(events[0].level == AlertLevel::info);
  CHECK(events[1].level == AlertLevel::warning);
  CHECK(events[2].level == AlertLevel::critical);
  t.update(8, 0.7, events);
  CHECK(events.size() == 3);
}
