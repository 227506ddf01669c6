#pragma once
// The profile of a finished `cohort run`, built from its output files and stored in the
// profile store for `cohort profiles`.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace cohort::cli {

/// The profile of the run whose outputs (run.json, summary.json) are in `out_dir`: run name,
/// config hash, cohort version, population sizes, steps, wall time, time per step, peak RSS,
/// peak accounted bytes, bytes per agent, alerts and leak verdict.
nlohmann::json build_run_profile(const std::string& name, const std::filesystem::path& out_dir);

}  // namespace cohort::cli
