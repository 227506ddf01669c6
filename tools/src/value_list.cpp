#include "cohort/tools/value_list.hpp"

#include <stdexcept>

namespace cohort::tools {

namespace {

// A quote opens a YAML quoted scalar only where a value starts (a plain scalar such as don't
// keeps its apostrophe): at the start, or after an opening bracket, a comma or a colon.
bool starts_value(const std::string& before) {
  const std::size_t last = before.find_last_not_of(' ');
  return last == std::string::npos ||
         std::string_view("[{,:").find(before[last]) != std::string_view::npos;
}

}  // namespace

std::vector<std::string> split_value_list(std::string_view text) {
  std::vector<std::string> values;
  std::string open;  // the brackets and braces still open, innermost last
  char quote = 0;
  std::string value;
  for (const char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if ((c == '"' || c == '\'') && starts_value(value)) {
      quote = c;
    } else if (c == '[' || c == '{') {
      open += c;
    } else if (c == ']' || c == '}') {
      const char opener = c == ']' ? '[' : '{';
      if (open.empty() || open.back() != opener)
        throw std::invalid_argument(std::string("a '") + c + "' without its '" + opener + "'");
      open.pop_back();
    } else if (c == ',' && open.empty()) {
      if (!value.empty()) values.push_back(std::move(value));
      value.clear();
      continue;
    }
    value += c;
  }
  if (quote) throw std::invalid_argument(std::string("an unclosed ") + quote);
  if (!open.empty()) throw std::invalid_argument(std::string("an unclosed '") + open.back() + "'");
  if (!value.empty()) values.push_back(std::move(value));
  return values;
}

}  // namespace cohort::tools
