// Text rendering of MemoryReport: aligned tables for a terminal or a log.
#include <cstdio>
#include <string>

#include "cohort/memory/report.hpp"
#include "cohort/memory/text_table.hpp"

namespace cohort::memory {

namespace {
std::string num(std::uint64_t v) {
  return std::to_string(v);
}
std::string bytes(std::uint64_t v) {
  return format_bytes(static_cast<double>(v));
}
std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}
}  // namespace

std::string MemoryReport::to_text() const {
  std::string out = "memory report (" + pool_mode + " allocation)\n";

  TextTable accounts({"account", "tag", "used", "held", "peak held", "limit/agent", "allocs",
                      "frees", "refusals", "reclaimed"},
                     {false, false, true, true, true, true, true, true, true, true});
  for (const ReportRow& r : rows) {
    const TagCounters& c = r.counters;
    accounts.add_row({r.account, r.tag, bytes(c.used), bytes(c.held), bytes(c.peak_held),
                      r.limit ? bytes(*r.limit) : "-", num(c.allocations), num(c.frees),
                      num(c.refusals), bytes(c.reclaimed)});
  }
  out += accounts.render("  ");

  for (const PopulationSummary& p : populations) {
    out += "\npopulation " + p.name + ": " + num(p.agents) + " agents, " +
           format_bytes(p.bytes_per_agent()) + " per agent (fixed " +
           bytes(p.fixed_bytes_per_agent) + " + variable); population-level (columns, shared) " +
           bytes(p.shared_held) + "\n";
    out += "  charged per agent: min " + bytes(p.min) + ", p50 " + bytes(p.p50) + ", p99 " +
           bytes(p.p99) + ", max " + bytes(p.max);
    if (p.hard_limit != 0)
      out += "; budget soft " + bytes(p.soft_limit) + " / hard " + bytes(p.hard_limit) + ", " +
             num(p.agents_over_soft) + " over soft, " + num(p.agents_refused) + " refused";
    out += "\n";
    if (p.orphaned_used != 0)
      out += "  LEAK: " + bytes(p.orphaned_used) + " still charged to removed agents\n";
    for (const RungSummary& rung : p.rungs)
      out += "  reclaimer " + rung.name + ": ran " + num(rung.runs) + " times for " +
             num(rung.agents) + " agents, freed " + bytes(rung.bytes) + "\n";
    if (!p.top.empty()) {
      out += "  top agents:";
      for (const AgentBytes& a : p.top)
        out += " " + num(a.agent_id) + " (" + bytes(a.used) + ")";
      out += "\n";
    }
  }

  if (!pool_classes.empty()) {
    out += "\npools\n";
    TextTable pools({"chunk", "reserved", "in use", "allocs", "hit rate", "idle bytes"},
                    {true, true, true, true, true, true});
    for (const PoolClassRow& c : pool_classes)
      pools.add_row({bytes(c.chunk_bytes), num(c.chunks_reserved), std::to_string(c.chunks_in_use),
                     num(c.allocations), percent(c.hit_rate()), bytes(c.idle_bytes())});
    out += pools.render("  ");
  }
  if (large.allocations != 0)
    out += "  large (> 4 KiB, system allocator): " + num(large.allocations) + " allocations, " +
           std::to_string(large.in_use) + " live, " +
           format_bytes(static_cast<double>(large.bytes_in_use)) + "\n";

  out += "\nprocess: RSS " + bytes(process.rss) + " (peak " + bytes(process.peak_rss) +
         ", at start " + bytes(rss_at_start) + "); accounted held " + bytes(accounted_held) +
         " (of which column capacity beyond live rows " + bytes(column_capacity_unused) +
         "), pool idle " + bytes(pool_idle_bytes) + "; coverage " + percent(coverage()) +
         " of RSS growth (in use " + percent(resident_coverage()) + "), explained " +
         percent(explained()) + "\n" +
         // Both figures compare different things; say so rather than let a reader trust 167%.
         "  (held counts reserved column capacity, resident or not, so coverage can pass 100%; "
         "in use leaves it out)\n";
  for (const KeptBytes& k : kept_outside)
    out += "  kept outside the accountant (in explained): " + k.name + " " + bytes(k.bytes) + "\n";
  return out;
}

}  // namespace cohort::memory
