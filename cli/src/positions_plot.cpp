#include "positions_plot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include "gnuplot.hpp"

namespace cohort::cli {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (const char c : line)
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  return out;
}

// Population names go into the script as file names: only plain ones (the rule of gnuplot.hpp
// is that no text from outside reaches a script).
bool plain(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  });
}

// 1-based gnuplot column numbers of the position: <c>.x and <c>.y of one component, else x, y.
std::optional<std::pair<std::size_t, std::size_t>> position_columns(
    const std::vector<std::string>& header) {
  const auto index_of = [&](const std::string& name) -> std::size_t {
    const auto at = std::find(header.begin(), header.end(), name);
    return at == header.end() ? 0 : static_cast<std::size_t>(at - header.begin()) + 1;
  };
  for (const std::string& h : header)
    if (h.size() > 2 && h.ends_with(".x"))
      if (const std::size_t y = index_of(h.substr(0, h.size() - 2) + ".y"); y != 0)
        return std::pair{index_of(h), y};
  if (index_of("x") != 0 && index_of("y") != 0) return std::pair{index_of("x"), index_of("y")};
  return std::nullopt;
}

}  // namespace

int plot_positions(const fs::path& dir, const std::string& color) {
  int drawn = 0;
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("snapshots_") && name.ends_with(".csv")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string stem = file.stem().string();
    const std::string population = stem.substr(std::string("snapshots_").size());
    std::ifstream in(file);
    std::string line;
    if (!plain(population) || !std::getline(in, line)) continue;
    const std::vector<std::string> header = split(line);
    const auto xy = position_columns(header);
    if (!xy) continue;
    // The last step: rows are in step order, so the first field of the last row.
    std::uint64_t last = 0;
    bool any = false;
    while (std::getline(in, line)) {
      std::uint64_t step = 0;
      if (std::from_chars(line.data(), line.data() + line.size(), step).ec == std::errc())
        last = step, any = true;
    }
    if (!any) continue;
    const auto c = std::find(header.begin(), header.end(), color);
    const std::size_t colour =
        c == header.end() ? 0 : static_cast<std::size_t>(c - header.begin()) + 1;
    if (!color.empty() && colour == 0)
      spdlog::warn("plot: {} has no column '{}'; agents drawn in one colour", file.string(), color);
    const std::string at = std::to_string(last);
    const std::string x = std::to_string(xy->first), y = std::to_string(xy->second);
    std::string script =
        "set terminal pngcairo size 900,900 enhanced font 'sans,9'\n"
        "set output 'positions_" +
        population +
        ".png'\n"
        "set datafile separator comma\nset key off\nset size ratio -1\nset grid\n"
        "set title '" +
        population + " at step " + at + "' noenhanced\n";
    script += colour == 0
                  ? "plot '" + stem + ".csv' every ::1 using ($1==" + at + "?$" + x + ":1/0):" + y +
                        " with points pt 7 ps 0.4\n"
                  : (plain(color) ? "set cblabel '" + color + "' noenhanced\n" : "") + "plot '" +
                        stem + ".csv' every ::1 using ($1==" + at + "?$" + x + ":1/0):" + y + ":" +
                        std::to_string(colour) + " with points pt 7 ps 0.4 lc palette\n";
    if (const std::string why = run_gnuplot(dir, "positions.gp", script); !why.empty())
      throw std::runtime_error(why);
    spdlog::info("plot: {}", (dir / ("positions_" + population + ".png")).string());
    ++drawn;
  }
  return drawn;
}

}  // namespace cohort::cli
