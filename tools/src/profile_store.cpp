#include "cohort/tools/profile_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

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

// Writes `content` to `path` (replacing it) and flushes it to the disk.
void write_whole_file(const fs::path& path, std::string_view content) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    throw fs::filesystem_error("cannot create " + path.string(), path,
                               std::error_code(errno, std::generic_category()));
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int error = errno;
  if (std::fclose(f) != 0 || !written || !flushed) {
    ::unlink(path.c_str());
    throw fs::filesystem_error("cannot write " + path.string(), path,
                               std::error_code(error, std::generic_category()));
  }
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
  // The profile is written in full to a temporary file first, then linked to its name: link()
  // fails if the name exists, so of two processes (or threads) picking one id at the same
  // moment exactly one gets it and the other tries the next, and readers never see a partial
  // profile.
  static std::atomic<unsigned> writer{0};
  const fs::path tmp = dir_ / ("." + base + ".tmp." + std::to_string(::getpid()) + "." +
                               std::to_string(writer.fetch_add(1)));
  for (int n = 1; n < 1000; ++n) {
    const std::string id = n == 1 ? base : base + "-" + std::to_string(1000 + n).substr(1);
    profile["id"] = id;
    write_whole_file(tmp, profile.dump(2) + "\n");
    const fs::path target = dir_ / (id + ".json");
    if (::link(tmp.c_str(), target.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return id;
    }
    const int error = errno;
    if (error != EEXIST) {
      ::unlink(tmp.c_str());
      throw fs::filesystem_error("cannot store profile " + target.string(), target,
                                 std::error_code(error, std::generic_category()));
    }
  }
  ::unlink(tmp.c_str());
  throw std::runtime_error("cannot store a profile in " + dir_.string() +
                           ": 999 profiles already carry the id " + base);
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
