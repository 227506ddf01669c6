#include "cohort/space/continuous/continuous_settings.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "cohort/engine/config_error.hpp"

namespace cohort::space {

using engine::ConfigError;
using engine::ParamSpec;

namespace {

std::string real_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string list_text(int n, auto value) {
  std::string s = "[";
  for (int i = 0; i < n; ++i)
    s += (i > 0 ? ", " : "") + value(i);
  return s + "]";
}

const char* list_name(const ContinuousOptions& o) {
  if (!o.neighbour_list) return "none";
  return o.list == ListKind::half ? "half" : "full";
}

}  // namespace

ParamSpec continuous_space_schema(const ContinuousSpaceSettings& d, BoxKeys box_keys) {
  const ContinuousOptions& o = d.options;
  const std::string rebuild = o.rebuild == RebuildPolicy::automatic ? "automatic" : "every";
  ParamSpec spec = ParamSpec::object(
      "space",
      {ParamSpec::choice("kind", "continuous", {"continuous"}, "the kind of space"),
       ParamSpec::list("box", ParamSpec::real("length", std::nullopt, "box length").min(1e-300),
                       "box lengths per axis (x, y[, z]); their count is the dimension")
           .range(2, 3)
           .with_default(list_text(d.dimensions, [&](int i) { return real_text(d.box[i]); })),
       ParamSpec::list("periodic", ParamSpec::boolean("wrap", std::nullopt, "periodic axis"),
                       "per axis: true wraps around (minimum image), false is a bounded edge")
           .range(2, 3)
           .with_default(list_text(
               d.dimensions, [&](int i) { return std::string(d.periodic[i] ? "true" : "false"); })),
       ParamSpec::real("cutoff", o.cutoff, "interaction range").min(1e-300),
       ParamSpec::real("skin", o.skin, "extra range of neighbour lists").min(0),
       ParamSpec::real("cell_size", o.cell_size, "minimum bin width; 0 = cutoff + skin").min(0),
       ParamSpec::choice("neighbour_list", list_name(o), {"half", "full", "none"},
                         "Verlet lists: each pair once (half), twice (full), or none"),
       ParamSpec::variant(
           "rebuild", rebuild,
           {ParamSpec::object("every",
                              {ParamSpec::integer("steps", o.rebuild_every, "steps between builds")
                                   .range(1, 1000000000)},
                              "rebuild every N steps"),
            ParamSpec::object("automatic", {}, "rebuild when an agent moved more than skin / 2")},
           "when cells and lists are rebuilt"),
       ParamSpec::choice("on_list_over_budget",
                         o.over_budget == OverBudget::cells ? "cells" : "fail", {"fail", "cells"},
                         "a list over the population budget stops the run (fail) or is replaced "
                         "by cell-list queries (cells)"),
       ParamSpec::boolean("sort_rows", o.sort_rows, "re-sort rows by bin at rebuilds"),
       ParamSpec::integer("sort_every", o.sort_every,
                          "rebuilds between re-sorts (0 = the first build only)")
           .range(0, 1000000000),
       ParamSpec::choice("query", d.query == QueryMode::exact ? "exact" : "cells_only",
                         {"exact", "cells_only"},
                         "radius queries: exact distances, or Agents.jl's cells-only "
                         "approximation")},
      "the continuous box the agents live in");
  if (box_keys == BoxKeys::from_model)
    std::erase_if(spec.fields, [](const ParamSpec& f) {
      return f.name == "box" || f.name == "periodic" || f.name == "query";
    });
  return spec;
}

ContinuousSpaceSettings continuous_settings(const engine::ConfigValue& space,
                                            const ContinuousSpaceSettings& defaults) {
  ContinuousSpaceSettings s = defaults;
  const engine::ConfigValue* box_key = space.find("box");
  static const std::vector<engine::ConfigValue> kNone;
  const auto& box = box_key != nullptr ? box_key->items() : kNone;
  if (box_key != nullptr) {
    const auto& periodic = space.at("periodic");
    s.dimensions = static_cast<int>(box.size());
    if (periodic.items().size() != box.size())
      throw ConfigError(periodic.location(), periodic.path(),
                        "one entry per box axis (" + std::to_string(box.size()) + ")",
                        std::to_string(periodic.items().size()) + " entries");
    for (std::size_t a = 0; a < box.size(); ++a) {
      s.box[a] = box[a].as_real();
      s.periodic[a] = periodic.items()[a].as_bool();
    }
  }
  ContinuousOptions& o = s.options;
  o.cutoff = space.at("cutoff").as_real();
  o.skin = space.at("skin").as_real();
  o.cell_size = space.at("cell_size").as_real();
  const std::string& list = space.at("neighbour_list").as_string();
  o.neighbour_list = list != "none";
  o.list = list == "full" ? ListKind::full : ListKind::half;
  const engine::ConfigValue& rebuild = space.at("rebuild");
  o.rebuild = rebuild.variant() == "automatic" ? RebuildPolicy::automatic : RebuildPolicy::every;
  if (o.rebuild == RebuildPolicy::every)
    o.rebuild_every = static_cast<std::uint32_t>(rebuild.variant_value().at("steps").as_int());
  o.over_budget =
      space.at("on_list_over_budget").as_string() == "cells" ? OverBudget::cells : OverBudget::fail;
  o.sort_rows = space.at("sort_rows").as_bool();
  o.sort_every = static_cast<std::uint32_t>(space.at("sort_every").as_int());
  if (const engine::ConfigValue* query = space.find("query"))
    s.query = query->as_string() == "exact" ? QueryMode::exact : QueryMode::cells_only;

  const double range = o.cutoff + o.skin;
  if (o.cell_size > 0 && o.cell_size < range) {
    const engine::ConfigValue& c = space.at("cell_size");
    throw ConfigError(c.location(), c.path(), "0 or at least cutoff + skin = " + real_text(range),
                      real_text(o.cell_size));
  }
  for (std::size_t a = 0; a < box.size(); ++a)
    if (s.periodic[a] && range > 0.5 * s.box[a])
      throw ConfigError(
          box[a].location(), box[a].path(),
          "a periodic length of at least 2 * (cutoff + skin) = " + real_text(2 * range),
          real_text(s.box[a]));
  return s;
}

}  // namespace cohort::space
