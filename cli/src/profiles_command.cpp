#include "profiles_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "cohort/tools/profile_store.hpp"
#include "cohort/tools/regression.hpp"
#include "exit_codes.hpp"

namespace cohort::cli {

namespace {

using tools::Profile;

double number(const Profile& p, const char* key) {
  return p.data.contains(key) && p.data[key].is_number() ? p.data[key].get<double>() : 0.0;
}

void print_row(const Profile& p) {
  // Steps printed as a number, not cast: a hand-edited -1 or 1e300 is shown, not undefined.
  std::printf("%-24s %-20s %-16s %8.0f %12.6g %10.1f %9s\n", p.id.c_str(), p.name().c_str(),
              p.config_hash().c_str(), number(p, "steps"), number(p, "seconds_per_step"),
              number(p, "peak_rss") / 1048576,
              p.data.contains("leak") && p.data["leak"].value("detected", false) ? "leak" : "-");
}

void print_header() {
  std::printf("%-24s %-20s %-16s %8s %12s %10s %9s\n", "id", "name", "config hash", "steps",
              "s/step", "RSS MiB", "leak");
}

// Prints the checks; returns true if any regressed.
bool print_checks(const std::vector<tools::MetricCheck>& checks, double tolerance) {
  bool regressed = false;
  std::printf("%-18s %14s %14s %14s %14s %8s %9s  %s\n", "metric", "value", "baseline", "min",
              "max", "cv", "change", "");
  for (const tools::MetricCheck& c : checks) {
    std::printf("%-18s %14.6g %14.6g %14.6g %14.6g %7.2f%% %+8.2f%%  %s\n", c.metric.c_str(),
                c.value, c.baseline.median, c.baseline.min, c.baseline.max, 100 * c.baseline.cv,
                100 * c.change, c.regression ? "REGRESSION" : "ok");
    regressed = regressed || c.regression;
  }
  std::printf(
      "a regression is worse than the baseline median by more than %.1f%%; compare the "
      "change with the baseline's cv to tell noise from change\n",
      100 * tolerance);
  return regressed;
}

int finish(bool regressed, const ProfilesOptions& o) {
  if (!regressed) return kOk;
  spdlog::warn("regression against the baseline");
  return o.fail_on_regression ? kRegression : kOk;
}

}  // namespace

int profiles_command(const ProfilesOptions& o) {
  const tools::ProfileStore store(o.dir.empty() ? tools::ProfileStore::default_dir()
                                                : std::filesystem::path(o.dir));
  const tools::ProfileListing listing = store.list();
  for (const std::string& problem : listing.problems)
    spdlog::warn("{}", problem);
  const auto find = [&](const std::string& id) -> std::optional<Profile> {
    std::optional<Profile> p = store.find(id);
    if (!p)
      spdlog::error("no profile '{}' (or the prefix is ambiguous) in {}", id, store.dir().string());
    return p;
  };

  if (o.action == "list") {
    print_header();
    for (const Profile& p : listing.profiles)
      print_row(p);
    return kOk;
  }
  if (o.action == "show") {
    const std::optional<Profile> p = find(o.first);
    if (!p) return kBadInput;
    std::printf("%s\n", p->data.dump(2).c_str());
    return kOk;
  }
  if (o.action == "compare") {
    const std::optional<Profile> a = find(o.first);
    const std::optional<Profile> b = find(o.second);
    if (!a || !b) return kBadInput;
    std::printf("%s (candidate) against %s (baseline)\n", b->id.c_str(), a->id.c_str());
    if (a->config_hash() != b->config_hash())
      spdlog::warn("the two runs have different config hashes: differences may be the config's");
    return finish(print_checks(tools::check_profile(*b, {*a}, o.tolerance), o.tolerance), o);
  }
  if (o.action == "trend") {
    std::vector<Profile> runs;
    for (const Profile& p : listing.profiles)
      if (p.name() == o.first) runs.push_back(p);
    if (runs.empty()) {
      spdlog::error("no profiles named '{}' in {}", o.first, store.dir().string());
      return kBadInput;
    }
    print_header();
    for (const Profile& p : runs)
      print_row(p);
    const std::vector<Profile> baseline =
        tools::baseline_of(listing.profiles, runs.back(), o.baseline);
    if (baseline.empty()) {
      std::printf("no earlier run of '%s' with config hash %s: nothing to compare against\n",
                  o.first.c_str(), runs.back().config_hash().c_str());
      return kOk;
    }
    std::printf("\nlatest %s against the median of %zu earlier run(s) with the same config hash\n",
                runs.back().id.c_str(), baseline.size());
    return finish(
        print_checks(tools::check_profile(runs.back(), baseline, o.tolerance), o.tolerance), o);
  }
  spdlog::error("unknown profiles action '{}' (list, show, compare, trend)", o.action);
  return kBadInput;
}

}  // namespace cohort::cli
