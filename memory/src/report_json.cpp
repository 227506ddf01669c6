// JSON rendering of MemoryReport (nlohmann-json): every figure in bytes, for programs.
#include <nlohmann/json.hpp>

#include "cohort/memory/report.hpp"

namespace cohort::memory {

namespace {
nlohmann::json counters_json(const TagCounters& c) {
  return {{"used", c.used},
          {"held", c.held},
          {"peak_used", c.peak_used},
          {"peak_held", c.peak_held},
          {"allocations", c.allocations},
          {"frees", c.frees},
          {"refusals", c.refusals},
          {"reclaimed", c.reclaimed}};
}
}  // namespace

nlohmann::json MemoryReport::to_json() const {
  nlohmann::json j;
  j["pool_mode"] = pool_mode;
  j["accounts"] = nlohmann::json::array();
  for (const ReportRow& r : rows) {
    nlohmann::json row = counters_json(r.counters);
    row["account"] = r.account;
    row["tag"] = r.tag;
    row["limit_per_agent"] = r.limit ? nlohmann::json(*r.limit) : nlohmann::json(nullptr);
    // "(all)" rows add up the rows below them: summing every row would count bytes two or three
    // times, so each row says what it is (sum the "detail" rows, or read the "total").
    row["kind"] = r.tag != "(all)" ? "detail" : r.account == "(total)" ? "total" : "subtotal";
    j["accounts"].push_back(std::move(row));
  }
  j["populations"] = nlohmann::json::array();
  for (const PopulationSummary& p : populations) {
    nlohmann::json pj = {
        {"name", p.name},
        {"agents", p.agents},
        {"fixed_bytes_per_agent", p.fixed_bytes_per_agent},
        {"bytes_per_agent", p.bytes_per_agent()},
        {"variable_used", p.variable_used},
        {"variable_held", p.variable_held},
        {"shared_held", p.shared_held},
        {"column_capacity_unused", p.column_capacity_unused},
        {"per_agent_used", {{"min", p.min}, {"p50", p.p50}, {"p99", p.p99}, {"max", p.max}}},
        {"hard_limit", p.hard_limit},
        {"soft_limit", p.soft_limit},
        {"agents_over_soft", p.agents_over_soft},
        {"agents_refused", p.agents_refused},
        {"orphaned_used", p.orphaned_used}};
    pj["top_agents"] = nlohmann::json::array();
    for (const AgentBytes& a : p.top)
      pj["top_agents"].push_back({{"agent", a.agent_id}, {"used", a.used}, {"held", a.held}});
    pj["reclaimers"] = nlohmann::json::array();
    for (const RungSummary& r : p.rungs)
      pj["reclaimers"].push_back(
          {{"name", r.name}, {"runs", r.runs}, {"bytes", r.bytes}, {"agents", r.agents}});
    // Per tag family (e.g. "space"): what it costs per agent and per 1000 agents.
    pj["tag_groups"] = nlohmann::json::object();
    for (const TagGroupBytes& g : p.tag_groups) {
      const double per_agent =
          p.agents == 0 ? 0.0 : static_cast<double>(g.held) / static_cast<double>(p.agents);
      pj["tag_groups"][g.group] = {{"held", g.held},
                                   {"bytes_per_agent", per_agent},
                                   {"bytes_per_1000_agents", 1000.0 * per_agent}};
    }
    j["populations"].push_back(std::move(pj));
  }
  j["pools"] = nlohmann::json::array();
  for (const PoolClassRow& c : pool_classes)
    j["pools"].push_back({{"chunk_bytes", c.chunk_bytes},
                          {"chunks_reserved", c.chunks_reserved},
                          {"chunks_in_use", c.chunks_in_use},
                          {"allocations", c.allocations},
                          {"misses", c.misses},
                          {"hit_rate", c.hit_rate()},
                          {"block_bytes", c.block_bytes},
                          {"idle_bytes", c.idle_bytes()}});
  j["large"] = {{"allocations", large.allocations},
                {"in_use", large.in_use},
                {"bytes_in_use", large.bytes_in_use}};
  j["totals"] = {{"accounted_used", accounted_used},
                 {"accounted_held", accounted_held},
                 {"peak_held", peak_held},
                 {"pool_idle_bytes", pool_idle_bytes},
                 {"column_capacity_unused", column_capacity_unused}};
  nlohmann::json kept = nlohmann::json::object();
  for (const KeptBytes& k : kept_outside)
    kept[k.name] = k.bytes;
  j["kept_outside_accountant"] = std::move(kept);
  j["process"] = {{"rss", process.rss},
                  {"peak_rss", process.peak_rss},
                  {"rss_at_start", rss_at_start},
                  {"coverage", coverage()},
                  {"resident_coverage", resident_coverage()},
                  {"explained", explained()}};
  return j;
}

}  // namespace cohort::memory
