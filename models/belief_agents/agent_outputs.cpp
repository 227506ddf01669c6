#include "agent_outputs.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace cohort::models::belief {

namespace {

// Round-trip exact, like the engine's metrics.csv.
std::string exact(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void write_history_csv(const std::filesystem::path& file, const HistoryOps& ops,
                       std::span<const HistoryRef> histories, std::span<const std::uint64_t> rows) {
  std::ofstream out(file);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  out << "agent,entry,action,observation,cell,value\n";
  std::vector<HistoryEntry> entries;
  for (const std::uint64_t row : rows) {
    if (row >= histories.size()) continue;
    ops.read(histories[row], entries);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const HistoryEntry& e = entries[i];
      out << row << ',' << i << ',' << int{e.action} << ',' << int{e.observation} << ',' << e.cell
          << ',' << exact(e.value) << '\n';
    }
  }
  if (!out) throw std::runtime_error("error writing " + file.string());
}

void append_trace(std::string& out, std::uint64_t step, std::uint64_t agent, const SparseVec& qs,
                  const Decision& d) {
  const std::string prefix = std::to_string(step) + ',' + std::to_string(agent) + ',';
  for (std::size_t k = 0; k < qs.size(); ++k)
    out += prefix + "qs," + std::to_string(qs.index[k]) + ',' + exact(qs.value[k]) + '\n';
  for (std::size_t k = 0; k < d.policy_posterior.size(); ++k)
    out += prefix + "q_pi," + std::to_string(k) + ',' + exact(d.policy_posterior[k]) + '\n';
  for (std::size_t k = 0; k < d.values.size(); ++k)
    out += prefix + "G," + std::to_string(k) + ',' + exact(d.values[k]) + '\n';
}

}  // namespace cohort::models::belief
