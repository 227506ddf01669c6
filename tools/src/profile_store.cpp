#include "cohort/tools/profile_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>

#include "cohort/engine/atomic_file.hpp"

namespace cohort::tools {

namespace fs = std::filesystem;

namespace {

// Why `data` cannot be shown as a profile, or nothing. Commands read these fields without further
// checks, so a profile whose fields have the wrong types is skipped like unreadable JSON.
std::optional<std::string> problem_with(const nlohmann::json& data) {
  if (data.is_discarded() || !data.is_object()) return "not a cohort profile (unreadable JSON)";
  if (!data.contains("name")) return "not a cohort profile (no \"name\")";
  for (const char* key : {"name", "config_hash", "id", "model"})
    if (data.contains(key) && !data[key].is_string())
      return std::string("\"") + key + "\" is " + data[key].type_name() + ", expected a string";
  if (data.contains("leak")) {
    const nlohmann::json& leak = data["leak"];
    if (!leak.is_object())
      return std::string("\"leak\" is ") + leak.type_name() + ", expected an object";
    if (leak.contains("detected") && !leak["detected"].is_boolean())
      return std::string("\"leak.detected\" is ") + leak["detected"].type_name() +
             ", expected a boolean";
  }
  return std::nullopt;
}

}  // namespace

std::optional<nlohmann::json> parse_profile(const std::string& text, std::string& problem) {
  nlohmann::json data = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (std::optional<std::string> why = problem_with(data)) {
    problem = std::move(*why);
    return std::nullopt;
  }
  return data;
}

fs::path ProfileStore::default_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return fs::path(xdg) / "cohort" / "profiles";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / ".cache" / "cohort" / "profiles";
}

std::string ProfileStore::append(nlohmann::json profile) const {
  fs::create_directories(dir_);
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
  const std::string base = std::string(stamp) + "." + std::to_string(1000 + ms).substr(1) + "Z";
  // Two runs in the same millisecond get -002, -003, ...: ids stay unique and sort in time order.
  std::string id = base;
  for (int n = 2; fs::exists(dir_ / (id + ".json")); ++n)
    id = base + "-" + std::to_string(1000 + n).substr(1);
  profile["id"] = id;
  engine::write_file_atomically(dir_ / (id + ".json"), profile.dump(2) + "\n");
  return id;
}

ProfileListing ProfileStore::list() const {
  ProfileListing out;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return out;
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  // By id (the stem), not file name: "X.json" would sort after "X-002.json".
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.stem() < b.stem(); });
  for (const fs::path& file : files) {
    std::ifstream in(file);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string problem;
    std::optional<nlohmann::json> data = parse_profile(text, problem);
    if (!data) {
      out.problems.push_back(file.string() + ": " + problem + "; skipped");
      continue;
    }
    out.profiles.push_back({file.stem().string(), std::move(*data)});
  }
  return out;
}

std::optional<Profile> ProfileStore::find(const std::string& id) const {
  std::optional<Profile> match;
  for (Profile& p : list().profiles) {
    if (p.id == id) return p;
    if (p.id.rfind(id, 0) == 0) {
      if (match) return std::nullopt;  // ambiguous prefix
      match = std::move(p);
    }
  }
  return match;
}

}  // namespace cohort::tools
