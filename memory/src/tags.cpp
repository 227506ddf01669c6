#include "cohort/memory/tags.hpp"

#include <algorithm>
#include <stdexcept>

namespace cohort::memory {

TagRegistry::TagRegistry() : names_{"shared", "scratch", "components"} {}

TagId TagRegistry::intern(std::string_view name) {
  if (name.empty()) throw std::invalid_argument("memory tag name must not be empty");
  TagId id = 0;
  if (find(name, id)) return id;
  if (names_.size() >= kMaxTags)
    throw std::length_error("cannot register memory tag '" + std::string(name) + "': at most " +
                            std::to_string(kMaxTags) + " tags are supported");
  names_.emplace_back(name);
  return static_cast<TagId>(names_.size() - 1);
}

bool TagRegistry::find(std::string_view name, TagId& id) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return false;
  id = static_cast<TagId>(it - names_.begin());
  return true;
}

}  // namespace cohort::memory
