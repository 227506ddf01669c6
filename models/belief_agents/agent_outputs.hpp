#pragma once
// Model outputs beyond metrics: the retained history of chosen agents, and a per-step trace of
// chosen agents' beliefs, policy posteriors and expected free energies, both as CSV.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "agent_step.hpp"

namespace cohort::models::belief {

/// Writes `agent,entry,action,observation,cell,value` rows, oldest entry first, for each row in
/// `rows` that exists. Throws std::runtime_error if the file cannot be written.
void write_history_csv(const std::filesystem::path& file, const HistoryOps& ops,
                       std::span<const HistoryRef> histories, std::span<const std::uint64_t> rows);

/// Appends `step,agent,kind,index,value` rows (kind qs, q_pi, G) for one agent to `out`.
void append_trace(std::string& out, std::uint64_t step, std::uint64_t agent, const SparseVec& qs,
                  const Decision& d);

}  // namespace cohort::models::belief
