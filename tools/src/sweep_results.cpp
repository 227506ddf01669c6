#include "cohort/tools/sweep_results.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "cohort/engine/atomic_file.hpp"

namespace cohort::tools {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Shortest text that reads back as the same double; "" for NaN (an empty CSV cell).
std::string real_text(double v) {
  if (std::isnan(v)) return {};
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string{};
}

std::optional<double> parse_real(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "run,point,replicate,<keys>,seed" cells of one run.
std::string run_cells(const DesignPoint& point, const PlannedRun& run) {
  std::string row =
      run.folder + "," + std::to_string(run.point + 1) + "," + std::to_string(run.replicate + 1);
  for (const auto& [key, value] : point.values)
    row += "," + csv_cell(value);
  return row + "," + std::to_string(run.seed);
}

std::string key_cells(const DesignPoint& point) {
  std::string header;
  for (const auto& [key, value] : point.values)
    header += "," + csv_cell(key);
  return header;
}

// The metric columns: those of the first finished run (every run of a sweep is one model).
std::vector<std::string> metric_names(const std::vector<RunOutcome>& outcomes) {
  for (const RunOutcome& o : outcomes)
    if (o.finished() && !o.metrics.header.empty()) return o.metrics.header;
  return {};
}

}  // namespace

void write_outcome(const fs::path& run_dir, const RunOutcome& o) {
  const ordered_json j = {
      {"folder", o.run.folder}, {"point", o.run.point + 1}, {"replicate", o.run.replicate + 1},
      {"seed", o.run.seed},     {"exit_code", o.exit_code}, {"signal", o.signal},
      {"message", o.message}};
  engine::write_file_atomically(run_dir / "outcome.json", j.dump(2) + "\n");
}

std::optional<RunOutcome> read_outcome(const fs::path& run_dir, const PlannedRun& run) {
  std::ifstream in(run_dir / "outcome.json");
  if (!in) return std::nullopt;
  const auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("seed", std::uint64_t{0}) != run.seed) return std::nullopt;
  RunOutcome o;
  o.run = run;
  o.exit_code = j.value("exit_code", -1);
  o.signal = j.value("signal", 0);
  o.message = j.value("message", std::string{});
  if (o.finished()) {
    if (!fs::exists(run_dir / "metrics.csv")) return std::nullopt;
    o.metrics = read_csv((run_dir / "metrics.csv").string());
  }
  return o;
}

SampleSummary summarise_sample(const std::vector<double>& values) {
  SampleSummary s;
  s.n = values.size();
  if (s.n == 0) return {0, kNaN, kNaN, kNaN, kNaN};
  for (const double v : values)
    s.mean += v;
  s.mean /= static_cast<double>(s.n);
  if (s.n < 2) {
    s.sd = s.ci_low = s.ci_high = kNaN;
    return s;
  }
  double squares = 0;
  for (const double v : values)
    squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  const boost::math::students_t t(static_cast<double>(s.n - 1));
  const double half = boost::math::quantile(t, 0.975) * s.sd / std::sqrt(static_cast<double>(s.n));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

void write_sweep_tables(const fs::path& dir, const std::vector<DesignPoint>& points,
                        const std::vector<RunOutcome>& outcomes) {
  const std::vector<std::string> metrics = metric_names(outcomes);
  const std::string keys = key_cells(points.front());
  std::string runs = "run,point,replicate" + keys + ",seed,status,exit_code,message";
  std::string steps = "run,point,replicate" + keys + ",seed";
  for (const std::string& m : metrics) {
    runs += "," + csv_cell(m);
    steps += "," + csv_cell(m);
  }
  runs += "\n";
  steps += "\n";
  // Final metrics per design point and metric, for the summary; step is not a result.
  std::vector<std::map<std::string, std::vector<double>>> finals(points.size());
  std::vector<std::size_t> failed(points.size(), 0);
  for (const RunOutcome& o : outcomes) {
    const std::string cells = run_cells(points[o.run.point], o.run);
    const char* status = o.finished() ? "finished" : "failed";
    runs += cells + "," + status + "," + std::to_string(o.exit_code) + "," + csv_cell(o.message);
    const bool same_columns = o.metrics.header == metrics;
    if (o.finished() && same_columns && !o.metrics.rows.empty()) {
      const std::vector<std::string>& last = o.metrics.rows.back();
      for (std::size_t i = 0; i < metrics.size(); ++i) {
        const std::string cell = i < last.size() ? last[i] : std::string{};
        runs += "," + csv_cell(cell);
        if (const auto v = parse_real(cell); v && metrics[i] != "step")
          finals[o.run.point][metrics[i]].push_back(*v);
      }
      for (const std::vector<std::string>& row : o.metrics.rows) {
        steps += cells;
        for (const std::string& cell : row)
          steps += "," + csv_cell(cell);
        steps += "\n";
      }
    } else {
      if (!o.finished()) ++failed[o.run.point];
      runs += std::string(metrics.size(), ',');
    }
    runs += "\n";
  }
  std::string summary = "point" + keys + ",metric,runs,failed,mean,sd,ci95_low,ci95_high\n";
  for (std::size_t p = 0; p < points.size(); ++p) {
    std::string point = std::to_string(p + 1);
    for (const auto& [key, value] : points[p].values)
      point += "," + csv_cell(value);
    for (const std::string& m : metrics) {
      if (m == "step") continue;
      const SampleSummary s = summarise_sample(finals[p][m]);
      summary += point + "," + csv_cell(m) + "," + std::to_string(s.n) + "," +
                 std::to_string(failed[p]) + "," + real_text(s.mean) + "," + real_text(s.sd) + "," +
                 real_text(s.ci_low) + "," + real_text(s.ci_high) + "\n";
    }
  }
  engine::write_file_atomically(dir / "sweep.csv", runs);
  engine::write_file_atomically(dir / "sweep_steps.csv", steps);
  engine::write_file_atomically(dir / "sweep_summary.csv", summary);
}

}  // namespace cohort::tools
