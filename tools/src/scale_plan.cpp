#include "cohort/tools/scale_plan.hpp"

#include <set>
#include <stdexcept>

#include "cohort/tools/value_list.hpp"

namespace cohort::tools {

ScaleAxis parse_scale_axis(const std::string& text) {
  ScaleAxis axis{"--scale " + text, {}, {}};
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument(axis.option +
                                ": expected KEY=v1,v2,... (e.g. "
                                "populations.walkers.size=1000,2000,4000)");
  axis.key = text.substr(0, eq);
  try {
    axis.values = split_value_list(std::string_view(text).substr(eq + 1));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(axis.option + ": " + e.what() +
                                " in the values (a list value is written [a,b])");
  }
  if (axis.values.empty())
    throw std::invalid_argument(axis.option + ": no values after '=' (expected KEY=v1,v2,...)");
  return axis;
}

std::string scale_options_text(const std::vector<ScaleAxis>& axes) {
  std::string text;
  for (const ScaleAxis& a : axes)
    text += (text.empty() ? "" : " ") + a.option;
  return text;
}

std::vector<ScaleVariant> zip_scales(const std::vector<ScaleAxis>& axes) {
  if (axes.empty())
    throw std::invalid_argument(
        "--scale: give at least one KEY=v1,v2,v3 (repeat --scale to "
        "scale several keys together)");
  std::set<std::string> keys;
  for (const ScaleAxis& a : axes) {
    if (!keys.insert(a.key).second)
      throw std::invalid_argument(a.option + ": " + a.key +
                                  " is scaled twice; give each key one --scale");
    if (a.values.size() != axes.front().values.size())
      throw std::invalid_argument(
          a.option + " gives " + std::to_string(a.values.size()) + " value(s) but " +
          axes.front().option + " gives " + std::to_string(axes.front().values.size()) +
          ": repeated --scale options are zipped (the i-th values of all of them make the i-th "
          "configuration), so each must give the same number of values");
  }
  std::vector<ScaleVariant> variants(axes.front().values.size());
  for (std::size_t i = 0; i < variants.size(); ++i)
    for (const ScaleAxis& a : axes) {
      ScaleVariant& v = variants[i];
      v.label += (v.assignments.empty() ? "" : ";") + a.values[i];
      v.assignments.push_back(a.key + "=" + a.values[i]);
    }
  std::set<std::vector<std::string>> distinct;
  for (const ScaleVariant& v : variants)
    distinct.insert(v.assignments);
  if (distinct.size() < 3)
    throw std::invalid_argument(scale_options_text(axes) +
                                ": need at least 3 distinct values to fit a power law, got " +
                                std::to_string(distinct.size()));
  return variants;
}

}  // namespace cohort::tools
