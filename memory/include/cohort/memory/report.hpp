#pragma once
// Where every byte is: a snapshot of the accountant, pools and process, for people and programs.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cohort/memory/counters.hpp"
#include "cohort/memory/pool_set.hpp"
#include "cohort/memory/process_memory.hpp"

namespace cohort::memory {

class Accountant;

/// One row of the (account, tag) table, like DuckDB's duckdb_memory(). `tag` is "(all)" on
/// total rows. `limit` is the per-agent hard limit on agent rows.
struct ReportRow {
  std::string account;
  std::string tag;
  TagCounters counters;
  std::optional<std::uint64_t> limit;
};

/// Bytes of one agent, for the top-N list.
struct AgentBytes {
  std::uint64_t agent_id = 0;
  std::uint64_t used = 0;
  std::uint64_t held = 0;
};

/// One reclaimer's record in a population: how often it ran, what it freed, for how many agents.
struct RungSummary {
  std::string name;
  std::uint64_t runs = 0;
  std::uint64_t bytes = 0;
  std::uint64_t agents = 0;  ///< live agents it has run for
};

/// Bytes a population holds under a family of tags named `group.something` (e.g. every
/// `space.*` tag), own and agents' together, so a layer's cost per agent can be read apart.
struct TagGroupBytes {
  std::string group;  ///< the tag names' part before the first '.'
  std::uint64_t held = 0;
};

/// Per-population view: bytes per agent and their distribution.
struct PopulationSummary {
  std::string name;
  std::uint64_t agents = 0;
  std::uint64_t fixed_bytes_per_agent = 0;  ///< component columns and ledger, outside the pools
  std::uint64_t variable_used = 0;          ///< sum over agents of charged bytes
  std::uint64_t variable_held = 0;
  std::uint64_t shared_held = 0;  ///< the population's own (shared) bytes, counted once
  /// Distribution of per-agent charged (used) bytes: min, median, 99th percentile, max.
  std::uint64_t min = 0, p50 = 0, p99 = 0, max = 0;
  std::vector<AgentBytes> top;   ///< the agents with the most bytes, largest first
  std::uint64_t hard_limit = 0;  ///< default per-agent limits (0 = unlimited)
  std::uint64_t soft_limit = 0;
  std::uint64_t agents_over_soft = 0;
  std::uint64_t agents_refused = 0;
  std::vector<RungSummary> rungs;
  std::uint64_t orphaned_used = 0;        ///< bytes left charged by removed agents (a leak)
  std::vector<TagGroupBytes> tag_groups;  ///< dotted tag families in first-registered order
  /// Column capacity beyond the live rows' fixed bytes: charged as held (the population reserved
  /// it), but pages never written are not resident. 0 when the population keeps no agent ledger.
  std::uint64_t column_capacity_unused = 0;

  /// Mean bytes per agent: fixed part plus the mean variable (held) part.
  double bytes_per_agent() const;
};

/// One size class over all threads.
struct PoolClassRow {
  std::uint64_t chunk_bytes = 0;
  std::uint64_t chunks_reserved = 0;
  std::int64_t chunks_in_use = 0;
  std::uint64_t allocations = 0;
  std::uint64_t misses = 0;
  std::uint64_t block_bytes = 0;     ///< taken from the system, bookkeeping included
  double hit_rate() const;           ///< allocations served without a new block
  std::uint64_t idle_bytes() const;  ///< reserved but not handed out
};

/// Options for MemoryReport::build.
struct ReportOptions {
  std::size_t top_n = 5;             ///< agents listed per population
  bool include_unused_tags = false;  ///< also list tags never charged
};

/// Bytes a run keeps outside the accountant, named (e.g. the metric history kept for metrics.csv).
struct KeptBytes {
  std::string name;
  std::uint64_t bytes = 0;
};

/// A full snapshot. Build it after Accountant::settle() (the engine does at step boundaries).
struct MemoryReport {
  std::string pool_mode;
  std::vector<ReportRow> rows;
  std::vector<PopulationSummary> populations;
  std::vector<PoolClassRow> pool_classes;  ///< classes that were ever used
  LargeStats large;
  std::uint64_t accounted_used = 0;
  std::uint64_t accounted_held = 0;
  std::uint64_t peak_held = 0;
  std::uint64_t pool_idle_bytes = 0;  ///< held by pools but not handed out
  /// Sum of the populations' column_capacity_unused: held, but not necessarily resident.
  std::uint64_t column_capacity_unused = 0;
  ProcessMemory process;
  std::uint64_t rss_at_start = 0;
  /// What the run keeps outside the accountant, set by its owner after build(): known, so part of
  /// explained(), but not charged (it grows with the steps by design, not with the agents).
  std::vector<KeptBytes> kept_outside;

  /// accounted held / (RSS - RSS at start); 0 when RSS has not grown. Counts reserved column
  /// capacity, resident or not, so it can pass 100%.
  double coverage() const;
  /// (accounted held - column capacity beyond live rows) / (RSS - RSS at start): the accounted
  /// bytes in use against the resident growth; 0 when RSS has not grown.
  double resident_coverage() const;
  /// (accounted held + pool idle bytes + kept outside) / (RSS - RSS at start): what is explained.
  double explained() const;

  static MemoryReport build(const Accountant& accountant, const ReportOptions& options = {});
  /// Aligned text tables for people.
  std::string to_text() const;
  /// The same data for programs.
  nlohmann::json to_json() const;
};

/// "1.5 KiB", "12.0 MiB": bytes for people (raw numbers stay in JSON).
std::string format_bytes(double bytes);

}  // namespace cohort::memory
