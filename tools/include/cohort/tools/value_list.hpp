#pragma once
// Value lists of the command line (`--scale KEY=v1,v2,...`, `--grid KEY=v1,v2,...`): YAML values
// separated by commas, where a list or map value keeps its own commas (`[316,316],[1000,1000]`).

#include <string>
#include <string_view>
#include <vector>

namespace cohort::tools {

/// The values of `text`, split at the commas outside brackets, braces and quotes; empty values
/// are dropped. Throws std::invalid_argument saying what is unbalanced ("an unclosed '['", "a ']'
/// without its '['") when a bracket, brace or quote does not close.
std::vector<std::string> split_value_list(std::string_view text);

}  // namespace cohort::tools
