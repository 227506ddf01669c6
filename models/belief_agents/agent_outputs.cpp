#include "agent_outputs.hpp"

#include "cohort/engine/atomic_file.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace cohort::models::belief {

namespace {

// The shortest round-trip text (std::to_chars), like the engine's metrics.csv.
std::string exact(double v) {
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

void write_history_csv(const std::filesystem::path& file, const HistoryOps& ops,
                       std::span<const HistoryRef> histories, std::span<const std::uint64_t> rows) {
  std::ostringstream out;
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
  // Atomically, as the engine's outputs: a failure is an I/O error (exit 4), never half a file.
  engine::write_file_atomically(file, out.str());
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
