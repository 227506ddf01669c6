// The run-profile store (atomic entries, skipped bad entries, ids in time order) and the
// regression rule (median baseline of the last K comparable runs, tolerance, spread).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cohort/tools/profile_store.hpp"
#include "cohort/tools/regression.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
using namespace cohort::tools;
using nlohmann::json;

namespace {

json profile(const std::string& name, const std::string& hash, double seconds_per_step) {
  return {{"name", name},    {"config_hash", hash},   {"seconds_per_step", seconds_per_step},
          {"peak_rss", 1e7}, {"peak_accounted", 5e6}, {"bytes_per_agent", 300.0}};
}

Profile entry(const std::string& id, const std::string& name, const std::string& hash,
              double seconds_per_step) {
  return {id, profile(name, hash, seconds_per_step)};
}

const MetricCheck& metric(const std::vector<MetricCheck>& checks, const std::string& name) {
  for (const MetricCheck& c : checks)
    if (c.metric == name) return c;
  FAIL("no metric " << name);
  return checks.front();
}

}  // namespace

TEST_CASE("appended profiles are listed oldest first with unique ids") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileStore store(dir / "store");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(store.append(profile("run", "h", 1.0 + i)));
  CHECK(ids[0] != ids[1]);
  const ProfileListing listing = store.list();
  REQUIRE(listing.profiles.size() == 3);
  CHECK(listing.problems.empty());
  for (int i = 0; i < 3; ++i) {
    CHECK(listing.profiles[i].id == ids[i]);
    CHECK(listing.profiles[i].data["seconds_per_step"] == 1.0 + i);
    CHECK(listing.profiles[i].data["id"] == ids[i]);
  }
  CHECK(store.find(ids[1])->data["seconds_per_step"] == 2.0);
  CHECK_FALSE(store.find("nonexistent"));
}

TEST_CASE("profiles appended within the same millisecond still list in append order") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileStore store(dir.path());
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i)
    ids.push_back(store.append(profile("run", "h", i)));
  const ProfileListing listing = store.list();
  REQUIRE(listing.profiles.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    CHECK(listing.profiles[i].id == ids[i]);
}

TEST_CASE("a leftover temporary file is ignored and a corrupt entry is reported and skipped") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileStore store(dir.path());
  const std::string id = store.append(profile("run", "h", 1.0));
  // What a crash between writing and renaming leaves behind, and a truncated entry.
  std::ofstream(dir / (id + ".json.tmp.4242")) << "{\"name\": \"run\", \"seconds_per";
  std::ofstream(dir / "20990101T000000.000Z.json") << "{\"name\": \"run\", \"seconds_per";
  const ProfileListing listing = store.list();
  REQUIRE(listing.profiles.size() == 1);
  CHECK(listing.profiles[0].id == id);
  REQUIRE(listing.problems.size() == 1);
  CHECK(listing.problems[0].find("20990101T000000.000Z.json: not a cohort profile") !=
        std::string::npos);
}

TEST_CASE("a store that does not exist yet lists nothing") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileListing listing = ProfileStore(dir / "missing").list();
  CHECK(listing.profiles.empty());
  CHECK(listing.problems.empty());
}

TEST_CASE("a metric worse than the baseline median by more than the tolerance regresses") {
  const MetricCheck slow = check_metric("seconds_per_step", 1.15, {1.0, 0.9, 1.1, 1.0, 5.0}, 0.10);
  CHECK(slow.baseline.median == 1.0);  // the median shrugs off the 5.0 outlier
  CHECK(slow.baseline.min == 0.9);
  CHECK(slow.baseline.max == 5.0);
  CHECK(slow.baseline_runs == 5);
  CHECK(slow.change == doctest::Approx(0.15));
  CHECK(slow.regression);
  CHECK_FALSE(check_metric("seconds_per_step", 1.09, {1.0, 1.0, 1.0}, 0.10).regression);
  CHECK_FALSE(check_metric("seconds_per_step", 0.5, {1.0, 1.0, 1.0}, 0.10).regression);
}

TEST_CASE("the baseline is the last K earlier runs with the same name and config hash") {
  const std::vector<Profile> history{entry("01", "a", "h1", 1.0), entry("02", "a", "h2", 9.0),
                                     entry("03", "b", "h1", 9.0), entry("04", "a", "h1", 2.0),
                                     entry("05", "a", "h1", 3.0), entry("06", "a", "h1", 4.0),
                                     entry("07", "a", "h1", 4.5)};
  const std::vector<Profile> base = baseline_of(history, history[5], 2);
  REQUIRE(base.size() == 2);
  CHECK(base[0].id == "04");
  CHECK(base[1].id == "05");
  const std::vector<MetricCheck> checks = check_profile(history[5], base, 0.10);
  CHECK(metric(checks, "seconds_per_step").baseline.median == 2.5);
  CHECK(metric(checks, "seconds_per_step").regression);
  CHECK_FALSE(metric(checks, "peak_rss").regression);
  CHECK(baseline_of(history, history[0], 5).empty());
}

TEST_CASE("a profile with a wrongly typed field is reported and skipped, not read") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileStore store(dir.path());
  const std::string id = store.append(profile("run", "h", 1.0));
  std::ofstream(dir / "20990101T000000.000Z.json") << R"({"name": 5, "config_hash": "h"})";
  std::ofstream(dir / "20990101T000001.000Z.json") << R"({"name": "run", "config_hash": [1]})";
  std::ofstream(dir / "20990101T000002.000Z.json") << R"({"name": "run", "leak": {"detected": 1}})";
  const ProfileListing listing = store.list();
  REQUIRE(listing.profiles.size() == 1);
  CHECK(listing.profiles[0].id == id);
  REQUIRE(listing.problems.size() == 3);
  CHECK(listing.problems[0].ends_with(
      "20990101T000000.000Z.json: \"name\" is number, expected a string; skipped"));
  CHECK(listing.problems[1].ends_with(
      "20990101T000001.000Z.json: \"config_hash\" is array, expected a string; skipped"));
  CHECK(listing.problems[2].ends_with(
      "20990101T000002.000Z.json: \"leak.detected\" is number, expected a boolean; skipped"));
  CHECK(store.find("20990101T000000") == std::nullopt);
}

TEST_CASE("profiles appended by many threads at once are all kept, each under its own id") {
  cohort::testing::TempDir dir("cohort_profiles");
  const ProfileStore store(dir / "store");
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        ids[t].push_back(store.append(profile("run", "h", t * 100 + i)));
    });
  for (std::thread& t : threads)
    t.join();
  const ProfileListing listing = store.list();
  CHECK(listing.problems.empty());
  REQUIRE(listing.profiles.size() == kThreads * kEach);
  std::set<double> values;
  std::set<std::string> listed;
  for (const Profile& p : listing.profiles) {
    CHECK(p.data["id"] == p.id);  // the id inside is the file's
    values.insert(p.data["seconds_per_step"].get<double>());
    listed.insert(p.id);
  }
  CHECK(values.size() == kThreads * kEach);  // no profile overwrote another
  for (const std::vector<std::string>& mine : ids)
    for (const std::string& id : mine)
      CHECK(listed.count(id) == 1);
  // Nothing but profiles is left behind.
  CHECK(static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir / "store"),
                                               std::filesystem::directory_iterator())) ==
        listing.profiles.size());
}
