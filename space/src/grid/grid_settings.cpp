#include "cohort/space/grid/grid_settings.hpp"

#include <string>

#include "cohort/engine/config_error.hpp"

namespace cohort::space {

using engine::ParamSpec;

namespace {

std::string metric_name(GridMetric m) {
  switch (m) {
    case GridMetric::chebyshev:
      return "moore";
    case GridMetric::manhattan:
      return "von_neumann";
    case GridMetric::euclidean:
      return "euclidean";
  }
  return "moore";
}

template <class T>
std::string yaml_list(const std::vector<T>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s += ", ";
    if constexpr (std::is_same_v<T, bool>)
      s += v[i] ? "true" : "false";
    else
      s += std::to_string(v[i]);
  }
  return s + "]";
}

}  // namespace

GridShape GridSpaceSettings::shape() const {
  const std::vector<bool>& p = periodic;
  bool flags[3] = {false, false, false};
  for (std::size_t i = 0; i < p.size() && i < 3; ++i)
    flags[i] = p[i];
  return GridShape(dimensions, std::span<const bool>(flags, p.size()));
}

ParamSpec grid_space_schema(const GridSpaceSettings& d) {
  return ParamSpec::object(
      "space",
      {ParamSpec::choice("kind", "grid", {"grid"}, "the kind of space"),
       ParamSpec::list("dimensions",
                       ParamSpec::integer("extent", std::nullopt, "cells along the axis")
                           .range(1, 4294967294.0),
                       "cells per axis (x, y[, z])")
           .range(2, 3)
           .with_default(yaml_list(d.dimensions)),
       ParamSpec::list("periodic", ParamSpec::boolean("wrap", std::nullopt, "torus edge"),
                       "per axis: true wraps around (torus), false is a bounded edge")
           .range(2, 3)
           .with_default(yaml_list(d.periodic)),
       ParamSpec::choice("occupancy", d.occupancy == Occupancy::single ? "single" : "multiple",
                         {"single", "multiple"}, "agents per cell: at most one, or any number"),
       ParamSpec::object(
           "neighbourhood",
           {ParamSpec::choice("metric", metric_name(d.neighbourhood.metric),
                              {"moore", "von_neumann", "chebyshev", "manhattan", "euclidean"},
                              "moore = chebyshev, von_neumann = manhattan, or euclidean"),
            ParamSpec::integer("radius", d.neighbourhood.radius, "neighbourhood radius in cells")
                .range(0, 65535),
            ParamSpec::boolean("include_centre", d.neighbourhood.include_centre,
                               "whether a cell is its own neighbour")},
           "which cells are a cell's neighbours")},
      "the grid the agents live on");
}

GridSpaceSettings grid_settings(const engine::ConfigValue& space) {
  GridSpaceSettings s;
  s.dimensions.clear();
  s.periodic.clear();
  for (const engine::ConfigValue& v : space.at("dimensions").items())
    s.dimensions.push_back(static_cast<std::uint32_t>(v.as_int()));
  const engine::ConfigValue& periodic = space.at("periodic");
  for (const engine::ConfigValue& v : periodic.items())
    s.periodic.push_back(v.as_bool());
  if (s.periodic.size() != s.dimensions.size())
    throw engine::ConfigError(
        periodic.location(), periodic.path(),
        "one entry per dimension (" + std::to_string(s.dimensions.size()) + ")",
        std::to_string(s.periodic.size()) + " entries");
  std::uint64_t cells = 1;
  for (const std::uint32_t e : s.dimensions)
    cells *= e;
  const engine::ConfigValue& dims = space.at("dimensions");
  if (cells >= kNoCell)
    throw engine::ConfigError(dims.location(), dims.path(), "fewer than 2^32 - 1 cells in all",
                              std::to_string(cells) + " cells");
  s.occupancy =
      space.at("occupancy").as_string() == "single" ? Occupancy::single : Occupancy::multiple;
  const engine::ConfigValue& n = space.at("neighbourhood");
  const std::string& m = n.at("metric").as_string();
  s.neighbourhood.metric = (m == "moore" || m == "chebyshev")         ? GridMetric::chebyshev
                           : (m == "von_neumann" || m == "manhattan") ? GridMetric::manhattan
                                                                      : GridMetric::euclidean;
  s.neighbourhood.radius = static_cast<std::uint32_t>(n.at("radius").as_int());
  s.neighbourhood.include_centre = n.at("include_centre").as_bool();
  if (s.neighbourhood.radius == 0 && !s.neighbourhood.include_centre) {
    const engine::ConfigValue& r = n.at("radius");
    throw engine::ConfigError(r.location(), r.path(), "a radius >= 1, or include_centre: true",
                              "radius 0 without centre");
  }
  return s;
}

}  // namespace cohort::space
