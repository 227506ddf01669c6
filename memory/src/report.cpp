#include "cohort/memory/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "cohort/memory/accountant.hpp"
#include "order_statistics.hpp"

namespace cohort::memory {

namespace {

// The nearest-rank q-quantile of the agents' used bytes (0 < q <= 1, at least one agent).
std::uint64_t percentile(const AgentLedger& ledger, double q) {
  const std::size_t n = ledger.size();
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  return detail::kth_smallest(n, std::min(std::max<std::size_t>(rank, 1), n) - 1,
                              [&](std::size_t r) { return ledger.used(static_cast<AgentRow>(r)); });
}

std::optional<std::uint64_t> limit_of(const BudgetLimits& limits) {
  if (limits.hard >= BudgetLimits::kMaxBytes) return std::nullopt;
  return limits.hard;
}

PopulationSummary summarize(const PopulationAccount& pop, const ReportOptions& options) {
  const AgentLedger& ledger = pop.ledger();
  PopulationSummary s;
  s.name = pop.name();
  s.agents = pop.agents();
  s.fixed_bytes_per_agent = pop.fixed_bytes_per_agent();
  s.shared_held = pop.total(Scope::population).held;
  // Columns are charged at capacity; the live rows use agents x fixed bytes of it.
  const std::uint64_t columns = pop.counters(Scope::population, TagRegistry::kComponents).held;
  const std::uint64_t live = static_cast<std::uint64_t>(s.agents) * s.fixed_bytes_per_agent;
  if (columns > live) s.column_capacity_unused = columns - live;
  s.orphaned_used = pop.orphaned_used();
  const BudgetLimits& defaults = ledger.default_limits();
  s.hard_limit = limit_of(defaults).value_or(0);
  s.soft_limit = s.hard_limit == 0 ? 0 : defaults.soft;

  s.min = ledger.size() == 0 ? 0 : ledger.used(0);
  for (AgentRow r = 0; r < ledger.size(); ++r) {
    s.min = std::min<std::uint64_t>(s.min, ledger.used(r));
    s.max = std::max<std::uint64_t>(s.max, ledger.used(r));
    s.variable_used += ledger.used(r);
    s.variable_held += ledger.held(r);
    s.agents_over_soft += ledger.used(r) > ledger.limits(r).soft ? 1 : 0;
    s.agents_refused += (ledger.flags(r) & AgentLedger::kRefused) ? 1 : 0;
  }
  for (std::size_t k = 0; k < pop.reclaimers().size(); ++k) {
    RungSummary rung{pop.reclaimers()[k].name, pop.rung(k).runs, pop.rung(k).bytes, 0};
    const auto bit = static_cast<std::uint8_t>(AgentLedger::kFirstRung << k);
    for (AgentRow r = 0; r < ledger.size(); ++r)
      rung.agents += (ledger.flags(r) & bit) ? 1 : 0;
    s.rungs.push_back(std::move(rung));
  }

  const std::vector<std::uint32_t> top =
      detail::first_ranked(ledger.size(), options.top_n, [&](std::uint32_t a, std::uint32_t b) {
        return ledger.used(a) != ledger.used(b) ? ledger.used(a) > ledger.used(b) : a < b;
      });
  for (const std::uint32_t r : top)
    s.top.push_back({pop.agent_id(r), ledger.used(r), ledger.held(r)});
  if (ledger.size() > 0) {
    s.p50 = percentile(ledger, 0.50);
    s.p99 = percentile(ledger, 0.99);
  }
  return s;
}

}  // namespace

double PopulationSummary::bytes_per_agent() const {
  if (agents == 0) return 0.0;
  return static_cast<double>(fixed_bytes_per_agent) +
         static_cast<double>(variable_held) / static_cast<double>(agents);
}

double PoolClassRow::hit_rate() const {
  if (allocations == 0) return 0.0;
  return static_cast<double>(allocations - misses) / static_cast<double>(allocations);
}

std::uint64_t PoolClassRow::idle_bytes() const {
  const auto in_use = static_cast<std::uint64_t>(std::max<std::int64_t>(0, chunks_in_use));
  return block_bytes > in_use * chunk_bytes ? block_bytes - in_use * chunk_bytes : 0;
}

double MemoryReport::coverage() const {
  if (process.rss <= rss_at_start) return 0.0;
  return static_cast<double>(accounted_held) / static_cast<double>(process.rss - rss_at_start);
}

double MemoryReport::resident_coverage() const {
  if (process.rss <= rss_at_start) return 0.0;
  const std::uint64_t in_use =
      accounted_held > column_capacity_unused ? accounted_held - column_capacity_unused : 0;
  return static_cast<double>(in_use) / static_cast<double>(process.rss - rss_at_start);
}

double MemoryReport::explained() const {
  if (process.rss <= rss_at_start) return 0.0;
  std::uint64_t known = accounted_held + pool_idle_bytes;
  for (const KeptBytes& k : kept_outside)
    known += k.bytes;
  return static_cast<double>(known) / static_cast<double>(process.rss - rss_at_start);
}

MemoryReport MemoryReport::build(const Accountant& accountant, const ReportOptions& options) {
  MemoryReport report;
  report.pool_mode = accountant.pool_mode() == PoolMode::pooled ? "pooled" : "pass-through";
  const TagRegistry& tags = accountant.tags();

  const TagCounters total = accountant.engine_total();
  report.accounted_used = total.used;
  report.accounted_held = total.held;
  report.peak_held = accountant.peak_held();
  TagCounters total_row = total;
  total_row.peak_used = accountant.peak_used();
  total_row.peak_held = accountant.peak_held();
  report.rows.push_back({"(total)", "(all)", total_row, std::nullopt});

  auto add_tag_rows = [&](const PopulationAccount& pop, Scope scope, const std::string& account) {
    const auto limit = scope == Scope::agents ? limit_of(pop.ledger().default_limits())
                                              : std::optional<std::uint64_t>{};
    for (std::size_t t = 0; t < tags.size(); ++t) {
      const TagCounters& c = pop.counters(scope, static_cast<TagId>(t));
      if (c.allocations == 0 && c.refusals == 0 && !options.include_unused_tags) continue;
      report.rows.push_back({account, tags.name(static_cast<TagId>(t)), c, limit});
    }
  };

  for (std::size_t i = 0; i < accountant.population_count(); ++i) {
    const PopulationAccount& pop = accountant.population(i);
    if (i == 0) {  // the engine's own account has no agents
      add_tag_rows(pop, Scope::population, "engine");
      continue;
    }
    TagCounters pop_total = pop.total(Scope::agents);
    pop_total += pop.total(Scope::population);
    pop_total.peak_used = pop.peak_used();
    pop_total.peak_held = pop.peak_held();
    report.rows.push_back({pop.name(), "(all)", pop_total, std::nullopt});
    add_tag_rows(pop, Scope::population, pop.name());
    add_tag_rows(pop, Scope::agents, pop.name() + "/agents");
    report.populations.push_back(summarize(pop, options));
    report.column_capacity_unused += report.populations.back().column_capacity_unused;
    // Dotted tag families (space.cells + space.neighbours -> "space"), held in both scopes.
    std::vector<TagGroupBytes>& groups = report.populations.back().tag_groups;
    for (std::size_t t = 0; t < tags.size(); ++t) {
      const std::string& name = tags.name(static_cast<TagId>(t));
      const std::size_t dot = name.find('.');
      if (dot == std::string::npos) continue;
      const std::uint64_t held = pop.counters(Scope::agents, static_cast<TagId>(t)).held +
                                 pop.counters(Scope::population, static_cast<TagId>(t)).held;
      const std::string group = name.substr(0, dot);
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const TagGroupBytes& g) { return g.group == group; });
      if (it == groups.end()) it = groups.insert(groups.end(), TagGroupBytes{group, 0});
      it->held += held;
    }
  }

  const PoolTotals pools = accountant.pool_totals();
  for (std::size_t c = 0; c < SizeClasses::kCount; ++c) {
    const PoolClassStats& s = pools.classes[c];
    if (s.allocations == 0) continue;
    PoolClassRow row{SizeClasses::chunk_bytes(static_cast<SizeClass>(c)),
                     s.chunks_reserved,
                     s.chunks_in_use,
                     s.allocations,
                     s.misses,
                     s.block_bytes};
    report.pool_idle_bytes += row.idle_bytes();
    report.pool_classes.push_back(row);
  }
  report.large = pools.large;
  report.process = ProcessMemory::read();
  report.rss_at_start = accountant.rss_at_start();
  return report;
}

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  double value = bytes;
  while (std::fabs(value) >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0)
    std::snprintf(buf, sizeof buf, "%.0f B", value);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  return buf;
}

}  // namespace cohort::memory
