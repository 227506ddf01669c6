#include "cohort/engine/monitor_settings.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "cohort/engine/byte_size.hpp"
#include "cohort/engine/config_error.hpp"

namespace cohort::engine {

namespace {

ParamSpec levels_spec(const std::string& name, const std::string& unit_help) {
  auto level = [&](const char* key) {
    return ParamSpec::string(key, "",
                             std::string(key) + " threshold: " + unit_help + " (\"\" = off)");
  };
  return ParamSpec::object(name, {level("info"), level("warning"), level("critical")},
                           "alert thresholds on " + name);
}

std::optional<double> parse_fraction(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  // from_chars reads "nan" and "inf", which no threshold can mean.
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

// One threshold: bytes ("2GiB"), a percentage of `limit` ("80%"), or for shares a fraction.
std::optional<double> threshold(const ConfigValue& v, bool share, std::uint64_t limit) {
  const std::string& text = v.as_string();
  if (text.empty()) return std::nullopt;
  if (text.back() == '%') {
    const std::optional<double> pct =
        parse_fraction(std::string_view(text).substr(0, text.size() - 1));
    if (!pct || *pct < 0)
      throw ConfigError(v.location(), v.path(), "a percentage such as \"80%\"", "'" + text + "'");
    if (share) return *pct / 100;
    if (limit == 0)
      throw ConfigError(v.location(), v.path(),
                        "a byte size, or a percentage together with monitor.limit",
                        "'" + text + "' without a limit");
    return *pct / 100 * static_cast<double>(limit);
  }
  if (share) {
    const std::optional<double> f = parse_fraction(text);
    if (!f || *f < 0 || *f > 1)
      throw ConfigError(v.location(), v.path(), "a fraction in [0, 1] or a percentage",
                        "'" + text + "'");
    return f;
  }
  const std::optional<std::uint64_t> bytes = parse_byte_size(text);
  if (!bytes)
    throw ConfigError(v.location(), v.path(), "a byte size such as \"2GiB\" or a percentage",
                      "'" + text + "'");
  return static_cast<double>(*bytes);
}

AlertLevels levels_from(const ConfigValue& v, bool share, std::uint64_t limit) {
  return {threshold(v.at("info"), share, limit), threshold(v.at("warning"), share, limit),
          threshold(v.at("critical"), share, limit)};
}

}  // namespace

ParamSpec monitor_schema() {
  return ParamSpec::object(
      "monitor",
      {ParamSpec::integer("every", 10, "sample memory every this many steps").min(1),
       ParamSpec::bytes("limit", 0, "memory limit that percentage thresholds refer to (0 = none)"),
       ParamSpec::object(
           "alerts",
           {levels_spec("rss", "bytes (\"2GiB\") or a percentage of limit"),
            levels_spec("accounted", "bytes (\"2GiB\") or a percentage of limit"),
            levels_spec("over_soft_share", "a fraction (\"0.1\") or \"10%\" of agents")},
           "info, warning and critical thresholds, each reported once per crossing"),
       ParamSpec::real("hysteresis", 0.05,
                       "an alert re-arms after its value falls this share below the threshold")
           .range(0, 0.5),
       ParamSpec::object(
           "leak",
           {ParamSpec::integer("warmup", 20, "ignore samples before this step").min(0),
            ParamSpec::integer("min_samples", 8, "samples after warm-up needed for a verdict")
                .min(3),
            ParamSpec::real("slope_bytes_per_step", 64, "a leak grows faster than this").min(0),
            ParamSpec::real("relative", 0.05,
                            "and grows by more than this share of its level over the window")
                .min(0),
            ParamSpec::real("alpha", 0.01, "significance level of the slope test")
                .range(1e-9, 0.5)},
           "leak detection: a significant, steep least-squares slope of memory against step")},
      "memory monitoring: timeline.csv, alerts and leak detection (results in run.json)");
}

MonitorSettings monitor_settings_from(const ConfigValue& m) {
  MonitorSettings s;
  s.every = static_cast<std::uint64_t>(m.at("every").as_int());
  s.limit = m.at("limit").as_bytes();
  const ConfigValue& alerts = m.at("alerts");
  s.rss = levels_from(alerts.at("rss"), false, s.limit);
  s.accounted = levels_from(alerts.at("accounted"), false, s.limit);
  s.over_soft_share = levels_from(alerts.at("over_soft_share"), true, s.limit);
  s.hysteresis = m.at("hysteresis").as_real();
  const ConfigValue& leak = m.at("leak");
  s.leak.warmup = static_cast<std::uint64_t>(leak.at("warmup").as_int());
  s.leak.min_samples = static_cast<std::size_t>(leak.at("min_samples").as_int());
  s.leak.slope_bytes_per_step = leak.at("slope_bytes_per_step").as_real();
  s.leak.relative = leak.at("relative").as_real();
  s.leak.alpha = leak.at("alpha").as_real();
  return s;
}

}  // namespace cohort::engine
