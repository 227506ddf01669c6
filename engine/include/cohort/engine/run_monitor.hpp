#pragma once
// Watches a run's memory: samples RSS and the accountant's totals every k steps into a timeline,
// raises threshold alerts, and judges at the end whether memory leaks.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cohort/engine/alert_tracker.hpp"
#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/leak_detector.hpp"
#include "cohort/engine/monitor_settings.hpp"

namespace cohort::engine {

class World;

/// One timeline row.
struct MemorySample {
  std::uint64_t step = 0;
  double wall_seconds = 0;
  std::uint64_t rss = 0;             ///< resident bytes (/proc/self/statm)
  std::uint64_t accounted_used = 0;  ///< accountant's engine total, requested bytes
  std::uint64_t accounted_held = 0;  ///< accountant's engine total, occupied bytes
  std::uint64_t agents = 0;
  double over_soft_share = 0;  ///< share of agents above their soft budget
  std::vector<std::pair<std::string, std::uint64_t>> breakdown;  ///< "pop:x" / "tag:y" used bytes
};

/// The monitor of one run. Sampling only reads settled counters and one small /proc file, so it
/// never pauses the simulation beyond an O(agents) scan of the ledgers for the soft-budget share.
class RunMonitor {
 public:
  explicit RunMonitor(MonitorSettings settings);

  const MonitorSettings& settings() const { return settings_; }
  bool due(std::uint64_t step) const { return step % settings_.every == 0; }
  /// Records a sample of `world` now (call between steps, when counters are settled). `extra`
  /// joins the breakdown as further timeline columns (a distributed run's per-rank bytes).
  void sample(const World& world, double wall_seconds,
              std::vector<std::pair<std::string, std::uint64_t>> extra = {});
  /// Called with each new alert event as it happens (e.g. to log it).
  void on_alert(std::function<void(const AlertEvent&)> handler) { handler_ = std::move(handler); }

  const std::vector<MemorySample>& samples() const { return samples_; }
  const std::vector<AlertEvent>& alerts() const { return alerts_; }
  LeakAnalysis accounted_leak() const;
  LeakAnalysis rss_leak() const;
  /// A distributed run's other ranks (its samples' `rank<R>:rss` and `rank<R>:accounted_used`
  /// columns, R >= 1; rank 0's are the samples' own figures), each judged by the same rule, in
  /// column order.
  std::vector<std::pair<std::string, LeakAnalysis>> rank_leaks() const;
  /// True when the accounted bytes or the RSS of this process, or of any other rank, leak by the
  /// configured rule.
  bool leak_detected() const;

  /// timeline.csv: step, wall time, RSS, accounted totals, then per-population and per-tag bytes.
  std::string timeline_csv() const;
  /// The per-population and per-tag columns of timeline.csv, in order.
  std::vector<std::string> timeline_columns() const;
  /// One line of timeline.csv (with its newline) for `sample` under `columns`.
  std::string timeline_row(const MemorySample& sample,
                           const std::vector<std::string>& columns) const;

  /// Writes the samples to a checkpoint, so a resumed run's timeline, alerts and leak verdicts
  /// cover the steps before the resume too.
  void save(CheckpointWriter& out) const;
  /// Restores what save() wrote; alerts are rebuilt from the samples under this monitor's
  /// settings. Throws CheckpointError on inconsistent data.
  void restore(CheckpointReader& in);
  /// Alerts and leak analyses, for run.json.
  nlohmann::ordered_json to_json() const;

 private:
  LeakAnalysis leak_of(std::uint64_t MemorySample::*field) const;
  LeakAnalysis leak_of(const std::string& column) const;
  void feed_alerts(const MemorySample& s);

  /// Another rank's quantity, watched under that rank's own alert name (e.g. "rank1:rss").
  struct RankSeries {
    std::string column;
    AlertTracker tracker;
  };

  MonitorSettings settings_;
  AlertTracker rss_alerts_;
  AlertTracker accounted_alerts_;
  AlertTracker soft_alerts_;
  std::vector<RankSeries> rank_series_;  // first-seen order
  std::vector<MemorySample> samples_;
  std::vector<AlertEvent> alerts_;
  std::function<void(const AlertEvent&)> handler_;
};

}  // namespace cohort::engine
