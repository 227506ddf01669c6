#include "run_profile.hpp"

#include "cohort/engine/version.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace cohort::cli {

namespace {

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return nlohmann::json::parse(
      std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
}

}  // namespace

nlohmann::json build_run_profile(const std::string& name, const std::filesystem::path& out_dir) {
  const nlohmann::json run = read_json(out_dir / "run.json");
  const nlohmann::json summary = read_json(out_dir / "summary.json");
  nlohmann::json p;
  p["name"] = name;
  p["config_hash"] = summary.at("config_hash");
  p["cohort_version"] = COHORT_VERSION_STRING;
  p["model"] = summary.at("model");
  p["populations"] = nlohmann::json::array();
  double agents = 0;
  for (const auto& pop : summary.at("populations")) {
    p["populations"].push_back({{"name", pop.at("name")}, {"agents", pop.at("agents")}});
    agents += pop.at("agents").get<double>();
  }
  p["steps"] = summary.at("steps");
  p["threads"] = run.at("threads");
  p["wall_seconds"] = run.at("wall_seconds");
  p["seconds_per_step"] = run.at("seconds_per_step");
  p["peak_rss"] = run.at("peak_rss");
  p["peak_accounted"] = run.at("peak_accounted_held");
  // Per final agent: the accounted peak spread over the population the run ended with.
  p["bytes_per_agent"] = agents > 0 ? run.at("peak_accounted_held").get<double>() / agents : 0.0;
  const nlohmann::json& monitor = run.at("monitor");
  p["alerts"] = nlohmann::json::array();
  for (const auto& a : monitor.at("alerts"))
    if (a.at("event") == "raised") p["alerts"].push_back(a);
  p["leak"] = {{"detected", monitor.at("leak").at("detected")},
               {"accounted", monitor.at("leak").at("accounted").at("verdict")},
               {"rss", monitor.at("leak").at("rss").at("verdict")}};
  return p;
}

}  // namespace cohort::cli
