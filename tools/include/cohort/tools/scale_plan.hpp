#pragma once
// The configurations of a population-scale study (`cohort bench`): one or more `--scale
// KEY=v1,v2,...` options, zipped, so that keys which only together keep a density (a grid's
// dimensions and its agent counts, a box and its birds) grow in step.

#include <string>
#include <vector>

namespace cohort::tools {

/// One `--scale KEY=v1,v2,...` option: the key and its values (YAML text, e.g. `[316,316]`).
struct ScaleAxis {
  std::string option;  ///< "--scale " + the option's text, for messages
  std::string key;
  std::vector<std::string> values;
};

/// One configuration of the study: the i-th value of every scaled key.
struct ScaleVariant {
  std::string label;                     ///< the values joined by ';' (the value, for one key)
  std::vector<std::string> assignments;  ///< "key=value" for every key, in option order
};

/// Parses "KEY=v1,v2,..." (values split by split_value_list). Throws std::invalid_argument,
/// starting with the option, when it is malformed or has no value.
ScaleAxis parse_scale_axis(const std::string& text);

/// The study's configurations: variant i takes value i of every axis. Throws
/// std::invalid_argument naming the options when there is no axis, a key is scaled twice, the
/// axes give different numbers of values, or fewer than 3 variants differ (a power law needs
/// 3 points). Repeated variants are kept (they are more repetitions of one configuration).
std::vector<ScaleVariant> zip_scales(const std::vector<ScaleAxis>& axes);

/// The options as typed, for messages: "--scale A=1,2,3 --scale B=4,5,6".
std::string scale_options_text(const std::vector<ScaleAxis>& axes);

}  // namespace cohort::tools
