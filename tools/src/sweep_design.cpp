#include "cohort/tools/sweep_design.hpp"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cohort/tools/csv.hpp"
#include "cohort/tools/value_list.hpp"

namespace cohort::tools {

SweepAxis parse_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("--grid " + text +
                                ": expected KEY=v1,v2,... (e.g. parameters.birth_rate=0.01,0.02)");
  SweepAxis axis{text.substr(0, eq), {}};
  std::set<std::string> seen;
  std::vector<std::string> values;
  try {
    values = split_value_list(std::string_view(text).substr(eq + 1));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--grid " + text + ": " + e.what() +
                                " in the values (a list value is written [a,b])");
  }
  for (const std::string& v : values) {
    if (!seen.insert(v).second)
      throw std::invalid_argument("--grid " + text + ": value '" + v + "' is given twice");
    axis.values.push_back(v);
  }
  if (axis.values.empty()) throw std::invalid_argument("--grid " + text + ": no values after '='");
  return axis;
}

std::vector<DesignPoint> read_design_list(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read design list " + file.string());
  std::string line;
  std::vector<std::string> keys;
  std::vector<DesignPoint> points;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv_line(line);
    if (keys.empty()) {
      keys = cells;
      continue;
    }
    if (cells.size() != keys.size())
      throw std::invalid_argument(file.string() + ":" + std::to_string(number) + ": " +
                                  std::to_string(cells.size()) + " values for " +
                                  std::to_string(keys.size()) + " keys in the header");
    DesignPoint p;
    for (std::size_t i = 0; i < keys.size(); ++i)
      p.values.emplace_back(keys[i], cells[i]);
    points.push_back(std::move(p));
  }
  if (points.empty())
    throw std::invalid_argument(file.string() +
                                ": expected a header of keys and one row per design");
  return points;
}

std::vector<DesignPoint> cross(const std::vector<DesignPoint>& listed,
                               const std::vector<SweepAxis>& axes) {
  if (listed.empty() && axes.empty())
    throw std::invalid_argument("nothing to sweep: give --grid KEY=v1,v2,... or --list FILE");
  std::vector<DesignPoint> points = listed.empty() ? std::vector<DesignPoint>{{}} : listed;
  std::set<std::string> keys;
  for (const auto& [key, value] : points.front().values)
    keys.insert(key);
  for (const SweepAxis& axis : axes) {
    if (!keys.insert(axis.key).second)
      throw std::invalid_argument("key " + axis.key + " is swept twice");
    std::vector<DesignPoint> next;
    for (const DesignPoint& p : points)
      for (const std::string& v : axis.values) {
        DesignPoint q = p;
        q.values.emplace_back(axis.key, v);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

std::uint64_t replicate_seed(std::uint64_t base_seed, std::size_t replicate) {
  std::uint64_t z = base_seed + 0x9e3779b97f4a7c15ull * (static_cast<std::uint64_t>(replicate) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (z ^ (z >> 31)) >> 1;
}

std::vector<PlannedRun> plan_runs(std::size_t points, std::size_t replicates,
                                  std::uint64_t base_seed) {
  std::vector<PlannedRun> runs;
  for (std::size_t p = 0; p < points; ++p)
    for (std::size_t r = 0; r < replicates; ++r) {
      char folder[48];
      std::snprintf(folder, sizeof folder, "p%04zu_r%02zu", p + 1, r + 1);
      runs.push_back({p, r, replicate_seed(base_seed, r), folder});
    }
  return runs;
}

}  // namespace cohort::tools
