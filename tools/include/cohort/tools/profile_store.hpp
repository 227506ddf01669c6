#pragma once
// A directory of run profiles, one JSON file per run, written atomically so a crash never leaves
// a half-written entry; unreadable entries are reported and skipped.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cohort::tools {

/// One stored profile: its id (the file name without .json) and its JSON.
struct Profile {
  std::string id;
  nlohmann::json data;

  std::string name() const { return data.value("name", ""); }
  std::string config_hash() const { return data.value("config_hash", ""); }
};

/// The profiles in a directory, oldest first, with the entries that could not be read.
struct ProfileListing {
  std::vector<Profile> profiles;
  std::vector<std::string> problems;  ///< "file: why" for each skipped entry
};

/// Reads one profile's JSON text. Returns nothing, with `problem` saying why, for text that is
/// not JSON, not an object, has no "name", or has a field the commands read with the wrong type.
std::optional<nlohmann::json> parse_profile(const std::string& text, std::string& problem);

/// A store of run profiles.
class ProfileStore {
 public:
  explicit ProfileStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  /// $XDG_CACHE_HOME/cohort/profiles, else $HOME/.cache/cohort/profiles.
  static std::filesystem::path default_dir();

  const std::filesystem::path& dir() const { return dir_; }
  /// Stores `profile` under a new id (UTC time, then a counter if taken) and returns the id.
  /// The id is also written into the profile as "id". Throws filesystem_error on failure.
  std::string append(nlohmann::json profile) const;
  /// Every *.json entry, ordered by id (ids sort by time); leftover temporary files are ignored.
  ProfileListing list() const;
  /// The profile with this id, or one whose id starts with it if that is unique.
  std::optional<Profile> find(const std::string& id) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace cohort::tools
