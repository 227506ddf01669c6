#include "cohort/engine/run_monitor.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string_view>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/memory/process_memory.hpp"

namespace cohort::engine {

namespace {

// Agents of `pop` whose requested bytes exceed their soft limit.
std::uint64_t agents_over_soft(const memory::PopulationAccount& pop) {
  const memory::AgentLedger& ledger = pop.ledger();
  std::uint64_t over = 0;
  for (std::size_t r = 0; r < ledger.size(); ++r) {
    const auto row = static_cast<memory::AgentRow>(r);
    const std::uint32_t soft = ledger.limits(row).soft;
    if (soft < memory::BudgetLimits::kMaxBytes && ledger.used(row) > soft) ++over;
  }
  return over;
}

// The alert name of another rank's timeline column, or "" if the column is not one the monitor
// judges: "rank<R>:rss" and "rank<R>:accounted_used" for R >= 1 (rank 0's are the sample's own).
std::string rank_metric(const std::string& column) {
  if (!column.starts_with("rank") || column.starts_with("rank0:") || column.starts_with("ranks:"))
    return "";
  if (column.ends_with(":rss")) return column;
  if (column.ends_with(":accounted_used"))
    return column.substr(0, column.size() - std::string_view("_used").size());
  return "";
}

nlohmann::ordered_json leak_json(const LeakAnalysis& a) {
  nlohmann::ordered_json j;
  j["verdict"] = to_string(a.verdict);
  j["samples"] = a.samples;
  if (a.verdict != LeakVerdict::insufficient_data) {
    j["slope_bytes_per_step"] = a.fit.slope;
    j["slope_ci95"] = {a.fit.ci_low, a.fit.ci_high};
    j["p_value"] = a.fit.p_value;
    j["r2"] = a.fit.r2;
    j["relative_growth"] = a.relative_growth;
  }
  j["reason"] = a.reason;
  return j;
}

}  // namespace

RunMonitor::RunMonitor(MonitorSettings settings)
    : settings_(std::move(settings)),
      rss_alerts_("rss", settings_.rss, settings_.hysteresis),
      accounted_alerts_("accounted", settings_.accounted, settings_.hysteresis),
      soft_alerts_("over_soft_share", settings_.over_soft_share, settings_.hysteresis) {}

void RunMonitor::sample(const World& world, double wall_seconds,
                        std::vector<std::pair<std::string, std::uint64_t>> extra) {
  const memory::Accountant& acc = world.accountant();
  MemorySample s;
  s.step = world.step();
  s.wall_seconds = wall_seconds;
  s.rss = memory::ProcessMemory::current_rss();
  const memory::TagCounters total = acc.engine_total();
  s.accounted_used = total.used;
  s.accounted_held = total.held;
  std::uint64_t over = 0;
  for (std::size_t i = 0; i < world.population_count(); ++i) {
    const memory::PopulationAccount& pop = world.population(i).account();
    s.agents += world.population(i).size();
    over += agents_over_soft(pop);
    s.breakdown.emplace_back("pop:" + pop.name(), pop.total(memory::Scope::agents).used +
                                                      pop.total(memory::Scope::population).used);
  }
  s.over_soft_share = s.agents ? static_cast<double>(over) / static_cast<double>(s.agents) : 0;
  for (std::size_t t = 0; t < acc.tags().size(); ++t) {
    const auto tag = static_cast<memory::TagId>(t);
    s.breakdown.emplace_back("tag:" + std::string(acc.tags().name(tag)),
                             acc.engine_total(tag).used);
  }
  for (auto& column : extra)
    s.breakdown.push_back(std::move(column));

  const std::size_t before = alerts_.size();
  feed_alerts(s);
  if (handler_)
    for (std::size_t i = before; i < alerts_.size(); ++i)
      handler_(alerts_[i]);
  samples_.push_back(std::move(s));
}

void RunMonitor::feed_alerts(const MemorySample& s) {
  rss_alerts_.update(s.step, static_cast<double>(s.rss), alerts_);
  accounted_alerts_.update(s.step, static_cast<double>(s.accounted_used), alerts_);
  soft_alerts_.update(s.step, s.over_soft_share, alerts_);
  // A distributed run: every other rank against the same thresholds (its own memory, like this
  // process's), so an alert does not depend on which rank nears its limit.
  for (const auto& entry : s.breakdown) {
    // Named, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
    const std::string& column = entry.first;
    const std::string metric = rank_metric(column);
    if (metric.empty()) continue;
    auto it = std::find_if(rank_series_.begin(), rank_series_.end(),
                           [&](const RankSeries& r) { return r.column == column; });
    if (it == rank_series_.end()) {
      const AlertLevels& levels = column.ends_with(":rss") ? settings_.rss : settings_.accounted;
      rank_series_.push_back({column, AlertTracker(metric, levels, settings_.hysteresis)});
      it = std::prev(rank_series_.end());
    }
    it->tracker.update(s.step, static_cast<double>(entry.second), alerts_);
  }
}

LeakAnalysis RunMonitor::leak_of(std::uint64_t MemorySample::*field) const {
  std::vector<double> steps;
  std::vector<double> bytes;
  for (const MemorySample& s : samples_) {
    steps.push_back(static_cast<double>(s.step));
    bytes.push_back(static_cast<double>(s.*field));
  }
  return analyse_leak(steps, bytes, settings_.leak);
}

LeakAnalysis RunMonitor::leak_of(const std::string& column) const {
  std::vector<double> steps;
  std::vector<double> bytes;
  for (const MemorySample& s : samples_)
    for (const auto& [name, value] : s.breakdown)
      if (name == column) {
        steps.push_back(static_cast<double>(s.step));
        bytes.push_back(static_cast<double>(value));
      }
  return analyse_leak(steps, bytes, settings_.leak);
}

std::vector<std::pair<std::string, LeakAnalysis>> RunMonitor::rank_leaks() const {
  std::vector<std::pair<std::string, LeakAnalysis>> out;
  for (const RankSeries& r : rank_series_)
    out.emplace_back(r.column, leak_of(r.column));
  return out;
}

LeakAnalysis RunMonitor::accounted_leak() const {
  return leak_of(&MemorySample::accounted_used);
}
LeakAnalysis RunMonitor::rss_leak() const {
  return leak_of(&MemorySample::rss);
}
bool RunMonitor::leak_detected() const {
  if (accounted_leak().verdict == LeakVerdict::leak || rss_leak().verdict == LeakVerdict::leak)
    return true;
  for (const auto& [column, analysis] : rank_leaks())
    if (analysis.verdict == LeakVerdict::leak) return true;
  return false;
}

std::vector<std::string> RunMonitor::timeline_columns() const {
  // The union over samples (tags may be interned mid-run), in first-seen order.
  std::vector<std::string> columns;
  for (const MemorySample& s : samples_)
    for (const auto& [name, value] : s.breakdown)
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
  return columns;
}

std::string RunMonitor::timeline_row(const MemorySample& s,
                                     const std::vector<std::string>& columns) const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", s.wall_seconds);
  std::string out = std::to_string(s.step) + "," + buf + "," + std::to_string(s.rss) + "," +
                    std::to_string(s.accounted_used) + "," + std::to_string(s.accounted_held) +
                    "," + std::to_string(s.agents) + ",";
  std::snprintf(buf, sizeof buf, "%.6g", s.over_soft_share);
  out += buf;
  for (const std::string& c : columns) {
    std::uint64_t v = 0;
    for (const auto& [name, value] : s.breakdown)
      if (name == c) v = value;
    out += "," + std::to_string(v);
  }
  return out + "\n";
}

std::string RunMonitor::timeline_csv() const {
  const std::vector<std::string> columns = timeline_columns();
  std::string out = "step,wall_seconds,rss,accounted_used,accounted_held,agents,over_soft_share";
  for (const std::string& c : columns)
    out += "," + c;
  out += "\n";
  for (const MemorySample& s : samples_)
    out += timeline_row(s, columns);
  return out;
}

void RunMonitor::save(CheckpointWriter& out) const {
  out.put<std::uint64_t>(samples_.size());
  for (const MemorySample& s : samples_) {
    out.put(s.step);
    out.put(s.wall_seconds);
    out.put(s.rss);
    out.put(s.accounted_used);
    out.put(s.accounted_held);
    out.put(s.agents);
    out.put(s.over_soft_share);
    out.put<std::uint64_t>(s.breakdown.size());
    for (const auto& [name, value] : s.breakdown) {
      out.put_string(name);
      out.put(value);
    }
  }
}

void RunMonitor::restore(CheckpointReader& in) {
  const auto count = in.get<std::uint64_t>("timeline sample count");
  std::vector<MemorySample> samples;
  for (std::uint64_t i = 0; i < count; ++i) {
    MemorySample s;
    s.step = in.get<std::uint64_t>("timeline step");
    if (!samples.empty() && s.step < samples.back().step)
      throw CheckpointError("checkpoint is corrupt: timeline steps go backwards");
    s.wall_seconds = in.get<double>("timeline wall seconds");
    s.rss = in.get<std::uint64_t>("timeline rss");
    s.accounted_used = in.get<std::uint64_t>("timeline accounted used");
    s.accounted_held = in.get<std::uint64_t>("timeline accounted held");
    s.agents = in.get<std::uint64_t>("timeline agents");
    s.over_soft_share = in.get<double>("timeline over-soft share");
    const auto parts = in.get<std::uint64_t>("timeline breakdown count");
    for (std::uint64_t p = 0; p < parts; ++p) {
      std::string name = in.get_string("timeline breakdown name");
      s.breakdown.emplace_back(std::move(name), in.get<std::uint64_t>("timeline breakdown bytes"));
    }
    samples.push_back(std::move(s));
  }
  // The alerts follow from the samples: replaying them rebuilds the events and the trackers'
  // armed levels exactly as the run that wrote the checkpoint had them (no handler: they were
  // reported then).
  rss_alerts_ = AlertTracker("rss", settings_.rss, settings_.hysteresis);
  accounted_alerts_ = AlertTracker("accounted", settings_.accounted, settings_.hysteresis);
  soft_alerts_ = AlertTracker("over_soft_share", settings_.over_soft_share, settings_.hysteresis);
  rank_series_.clear();
  alerts_.clear();
  for (const MemorySample& s : samples)
    feed_alerts(s);
  samples_ = std::move(samples);
}

nlohmann::ordered_json RunMonitor::to_json() const {
  nlohmann::ordered_json j;
  j["every"] = settings_.every;
  j["samples"] = samples_.size();
  j["alerts"] = nlohmann::ordered_json::array();
  for (const AlertEvent& e : alerts_)
    j["alerts"].push_back({{"step", e.step},
                           {"metric", e.metric},
                           {"level", to_string(e.level)},
                           {"event", e.raised ? "raised" : "cleared"},
                           {"value", e.value},
                           {"threshold", e.threshold}});
  j["leak"]["detected"] = leak_detected();
  j["leak"]["accounted"] = leak_json(accounted_leak());
  j["leak"]["rss"] = leak_json(rss_leak());
  for (const auto& [column, analysis] : rank_leaks())
    j["leak"]["ranks"][column] = leak_json(analysis);
  return j;
}

}  // namespace cohort::engine
