#include "bench_results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "cohort/engine/atomic_file.hpp"
#include "cohort/tools/csv.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The value of `column` in the first data row (step 0: the state the model built) of `file`,
// or nothing when there is no such column. Throws std::runtime_error when there is no row.
std::optional<double> step0_value(const fs::path& file, const std::string& column) {
  const tools::CsvTable t = tools::read_csv(file.string());
  const auto at = std::find(t.header.begin(), t.header.end(), column);
  if (at == t.header.end()) return std::nullopt;
  const auto i = static_cast<std::size_t>(at - t.header.begin());
  if (t.rows.empty() || t.rows.front().size() <= i)
    throw std::runtime_error(file.string() + " has no step-0 row with " + column);
  return std::stod(t.rows.front()[i]);
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& n : names)
    text += (text.empty() ? "" : ", ") + n;
  return text;
}

ordered_json spread_json(const tools::Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"cv", s.cv}};
}

ordered_json fit_json(const std::optional<engine::PowerLawFit>& f) {
  if (!f) return nullptr;
  return {{"exponent", f->exponent},
          {"ci95", {f->line.ci_low, f->line.ci_high}},
          {"r2", f->line.r2},
          {"coefficient", f->coefficient},
          {"points", f->line.n}};
}

}  // namespace

tools::ScaleRun read_scale_run(const fs::path& run_dir, const std::string& label,
                               const std::string& agents_metric) {
  tools::ScaleRun m;
  m.scale = label;
  const fs::path counts = run_dir / (agents_metric.empty() ? "timeline.csv" : "metrics.csv");
  const std::optional<double> agents =
      step0_value(counts, agents_metric.empty() ? "agents" : agents_metric);
  if (!agents && !agents_metric.empty()) {
    std::vector<std::string> metrics = tools::read_csv(counts.string()).header;
    metrics.erase(metrics.begin());  // "step"
    throw MissingAgentsMetric("--agents-metric " + agents_metric + ": the model has no metric " +
                              agents_metric + "; expected one of its metrics.csv columns (" +
                              joined(metrics) + ")");
  }
  if (!agents) throw std::runtime_error(counts.string() + " has no agents column");
  m.agents = static_cast<std::uint64_t>(std::llround(std::max(0.0, *agents)));
  const auto run_json = nlohmann::json::parse(read_text(run_dir / "run.json"));
  m.seconds_per_step = run_json.at("seconds_per_step").get<double>();
  m.peak_rss = run_json.at("peak_rss").get<double>();
  m.accounted_per_agent =
      m.agents ? run_json.at("peak_accounted_held").get<double>() / static_cast<double>(m.agents)
               : 0;
  return m;
}

void write_bench_results(const fs::path& dir, const BenchSetup& setup,
                         const std::vector<tools::ScaleRun>& runs,
                         const std::vector<tools::ScaleSummary>& summary,
                         const tools::ScalingFit& fit, const std::string& plot_note) {
  std::string csv = "scale,agents,seconds_per_step,peak_rss,accounted_bytes_per_agent\n";
  for (const tools::ScaleRun& r : runs) {
    char buf[160];
    std::snprintf(buf, sizeof buf, ",%llu,%.9g,%.0f,%.6g\n",
                  static_cast<unsigned long long>(r.agents), r.seconds_per_step, r.peak_rss,
                  r.accounted_per_agent);
    csv += tools::csv_cell(r.scale) + buf;
  }
  engine::write_file_atomically(dir / "bench_runs.csv", csv);
  std::string table =
      "scale,agents,runs,time_median,time_min,time_max,time_cv,rss_median,rss_min,rss_max,"
      "rss_cv,accounted_per_agent_median,accounted_per_agent_cv\n";
  for (const tools::ScaleSummary& s : summary) {
    char buf[400];
    std::snprintf(buf, sizeof buf, ",%llu,%zu,%.9g,%.9g,%.9g,%.4f,%.0f,%.0f,%.0f,%.4f,%.6g,%.4f\n",
                  static_cast<unsigned long long>(s.agents), s.runs, s.seconds_per_step.median,
                  s.seconds_per_step.min, s.seconds_per_step.max, s.seconds_per_step.cv,
                  s.peak_rss.median, s.peak_rss.min, s.peak_rss.max, s.peak_rss.cv,
                  s.accounted_per_agent.median, s.accounted_per_agent.cv);
    table += tools::csv_cell(s.scale) + buf;
  }
  engine::write_file_atomically(dir / "bench_summary.csv", table);

  ordered_json j;
  if (setup.axes.size() == 1) j["key"] = setup.axes.front().key;
  j["keys"] = ordered_json::array();
  for (const tools::ScaleAxis& a : setup.axes)
    j["keys"].push_back(a.key);
  j["agents_from"] = setup.agents_from;
  j["scales"] = ordered_json::array();
  for (const tools::ScaleSummary& s : summary) {
    ordered_json values = ordered_json::object();
    for (const tools::ScaleVariant& v : setup.variants)
      if (v.label == s.scale)
        for (std::size_t k = 0; k < setup.axes.size(); ++k)
          values[setup.axes[k].key] = v.assignments[k].substr(setup.axes[k].key.size() + 1);
    j["scales"].push_back({{"scale", s.scale},
                           {"values", std::move(values)},
                           {"agents", s.agents},
                           {"runs", s.runs},
                           {"seconds_per_step", spread_json(s.seconds_per_step)},
                           {"peak_rss", spread_json(s.peak_rss)},
                           {"accounted_bytes_per_agent", spread_json(s.accounted_per_agent)}});
  }
  j["fit"]["time_per_step"] = fit_json(fit.time);
  j["fit"]["peak_rss"] = fit_json(fit.memory);
  if (fit.memory) j["fit"]["peak_rss"]["above_baseline"] = fit.rss_baseline > 0;
  j["fit"]["peak_accounted"] = fit_json(fit.accounted);
  if (!fit.refusal.empty()) j["fit"]["refused"] = fit.refusal;
  j["baseline_rss"] = setup.baseline_measured ? ordered_json(setup.baseline_rss) : nullptr;
  j["plot"] = plot_note.empty() ? ordered_json((dir / "bench.png").string())
                                : ordered_json("skipped: " + plot_note);
  engine::write_file_atomically(dir / "bench.json", j.dump(2) + "\n");
}

}  // namespace cohort::cli
