#include "plot_command.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cohort/engine/alert_tracker.hpp"
#include "cohort/tools/csv.hpp"
#include "exit_codes.hpp"
#include "gnuplot.hpp"
#include "positions_plot.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kTerminal = "set terminal pngcairo size 1200,%d enhanced font 'sans,9'\n";

std::string terminal(int height) {
  char buf[96];
  std::snprintf(buf, sizeof buf, kTerminal, height);
  return buf;
}

// Each metric (every column after step) in its own panel, titled by its column header.
std::string metrics_script(std::size_t columns) {
  const std::size_t panels = columns - 1;
  const std::size_t rows = (panels + 1) / 2;
  return terminal(static_cast<int>(260 * rows + 40)) +
         "set output 'metrics.png'\n"
         "set datafile separator comma\n"
         "set grid\nset key top left noenhanced\nset xlabel 'step'\n"
         "set multiplot layout " +
         std::to_string(rows) + "," + std::to_string(panels > 1 ? 2 : 1) +
         " title 'metrics over steps'\n"
         "do for [i=2:" +
         std::to_string(columns) +
         "] {\n"
         "  plot 'metrics.csv' using 1:i with linespoints pt 7 ps 0.4 lw 2 title columnheader(i)\n"
         "}\nunset multiplot\n";
}

// The byte thresholds of the alerts raised in the run, as dashed lines. Only the monitor's own
// metric and level names are written into the script, never text read from the file.
std::string threshold_lines(const fs::path& run_json) {
  std::ifstream in(run_json);
  if (!in) return {};
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("monitor")) return {};
  std::string lines;
  for (const auto& e : j["monitor"].value("alerts", nlohmann::json::array())) {
    if (e.value("event", "") != "raised") continue;
    const std::string metric = e.value("metric", "");
    const std::optional<engine::AlertLevel> level = engine::alert_level_named(e.value("level", ""));
    if (metric != "rss" && metric != "accounted") continue;
    if (!level) continue;
    const double mib = e.value("threshold", 0.0) / 1048576;
    lines += ", " + std::to_string(mib) + " with lines dt 2 lw 1 title '" + metric + " " +
             engine::to_string(*level) + " threshold'";
  }
  return lines;
}

// RSS and accounted bytes with the alert thresholds, then one line per tag.
std::string memory_script(const std::vector<std::string>& header, const std::string& thresholds) {
  std::string tags;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i].starts_with("tag:"))
      tags += (tags.empty() ? "plot " : ", ") + std::string("'timeline.csv' using 1:(column(") +
              std::to_string(i + 1) + ")/1048576) with lines lw 2 title columnheader(" +
              std::to_string(i + 1) + ")";
  return terminal(tags.empty() ? 450 : 800) +
         "set output 'memory.png'\n"
         "set datafile separator comma\n"
         "set grid\nset key top left noenhanced\nset xlabel 'step'\nset ylabel 'MiB'\n"
         "set multiplot layout " +
         std::string(tags.empty() ? "1" : "2") +
         ",1 title 'memory timeline'\n"
         "set title 'process and accounted memory'\n"
         "plot 'timeline.csv' using 1:($3/1048576) with lines lw 2 title 'RSS', "
         "'' using 1:($4/1048576) with lines lw 2 title 'accounted used', "
         "'' using 1:($5/1048576) with lines lw 2 title 'accounted held'" +
         thresholds + "\n" +
         (tags.empty() ? "" : "set title 'accounted bytes by tag'\n" + tags + "\n") +
         "unset multiplot\n";
}

}  // namespace

int plot_command(const PlotOptions& o) {
  const fs::path dir = o.dir;
  int drawn = 0;
  if (fs::exists(dir / "metrics.csv")) {
    const tools::CsvTable metrics = tools::read_csv((dir / "metrics.csv").string());
    if (metrics.header.size() < 2 || metrics.rows.empty()) {
      spdlog::error("plot: {} has no metric rows", (dir / "metrics.csv").string());
      return kIoError;
    }
    if (const std::string why =
            run_gnuplot(dir, "metrics.gp", metrics_script(metrics.header.size()));
        !why.empty()) {
      spdlog::error("plot: {}", why);
      return kIoError;
    }
    spdlog::info("plot: {}", (dir / "metrics.png").string());
    ++drawn;
  }
  if (fs::exists(dir / "timeline.csv")) {
    const tools::CsvTable timeline = tools::read_csv((dir / "timeline.csv").string());
    const std::string script = memory_script(timeline.header, threshold_lines(dir / "run.json"));
    if (const std::string why = run_gnuplot(dir, "memory.gp", script); !why.empty()) {
      spdlog::error("plot: {}", why);
      return kIoError;
    }
    spdlog::info("plot: {}", (dir / "memory.png").string());
    ++drawn;
  }
  try {
    drawn += plot_positions(dir, o.color);
  } catch (const std::runtime_error& e) {
    spdlog::error("plot: {}", e.what());
    return kIoError;
  }
  if (drawn == 0) {
    spdlog::error(
        "plot: {} holds neither metrics.csv nor timeline.csv (is it a run's output "
        "directory?)",
        dir.string());
    return kIoError;
  }
  return kOk;
}

}  // namespace cohort::cli
