#pragma once
// Tags say what bytes are for (`genome`, `beliefs`, `history`, `shared`, `scratch`, ...).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::memory {

/// Small integer naming a registered tag; indexes the per-tag counter arrays.
using TagId = std::uint8_t;

/// The tags an accountant knows. Built-in tags are registered first with fixed ids; models add
/// their own by name. Registering a name twice returns the same id.
class TagRegistry {
 public:
  static constexpr std::size_t kMaxTags = 32;
  static constexpr TagId kShared = 0;      ///< data shared by many agents, charged once
  static constexpr TagId kScratch = 1;     ///< temporary working memory
  static constexpr TagId kComponents = 2;  ///< fixed-size component columns

  TagRegistry();

  /// Id of `name`, registering it if new. Throws std::length_error past kMaxTags tags and
  /// std::invalid_argument for an empty name.
  TagId intern(std::string_view name);
  /// Id of `name` if registered.
  bool find(std::string_view name, TagId& id) const;
  const std::string& name(TagId id) const { return names_.at(id); }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

}  // namespace cohort::memory
