#include "memory_demo.hpp"

#include <cstdio>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "cohort/engine/atomic_file.hpp"
#include "cohort/memory/accountant.hpp"
#include "cohort/memory/report.hpp"

namespace cohort::cli {

namespace {

// Each agent keeps a ring of history blocks in one flat array (no per-agent heap objects);
// the population's reclaimer evicts the oldest blocks when an agent crosses its soft limit.
constexpr std::uint32_t kRing = 32;

struct DemoHistory {
  std::vector<void*> block;          // [agent * kRing + slot]
  std::vector<std::uint16_t> bytes;  // size of each block
  std::vector<std::uint32_t> head;   // oldest slot
  std::vector<std::uint32_t> count;  // blocks held
  memory::TagId tag = 0;

  void evict_oldest(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                    memory::AgentRow a) {
    const std::uint32_t slot = a * kRing + head[a];
    ctx.deallocate(pop, a, tag, block[slot], bytes[slot]);
    head[a] = (head[a] + 1) % kRing;
    --count[a];
  }
};

}  // namespace

int run_memory_demo(const MemoryDemoOptions& options) {
  memory::Accountant acc;
  const memory::TagId history_tag = acc.tags().intern("history");
  memory::PopulationAccount& pop =
      acc.add_population("demo_agents", memory::BudgetLimits::from_hard(options.budget_bytes));
  pop.ledger().reserve(options.agents);
  for (std::uint32_t i = 0; i < options.agents; ++i)
    pop.add_agent();

  DemoHistory h;
  h.tag = history_tag;
  h.block.assign(std::size_t{options.agents} * kRing, nullptr);
  h.bytes.assign(std::size_t{options.agents} * kRing, 0);
  h.head.assign(options.agents, 0);
  h.count.assign(options.agents, 0);
  // The ring's columns are fixed per-agent bytes outside the pools: charge them too, so the
  // report explains the process's RSS rather than only the pooled part.
  const std::size_t columns = h.block.capacity() * sizeof(void*) +
                              h.bytes.capacity() * sizeof(std::uint16_t) +
                              (h.head.capacity() + h.count.capacity()) * sizeof(std::uint32_t) +
                              pop.ledger().capacity_bytes();
  memory::ChargeContext& ctx = acc.context();
  ctx.charge_shared(pop, memory::TagRegistry::kComponents, columns, columns);
  pop.set_fixed_bytes_per_agent(columns / options.agents);
  pop.add_reclaimer({"evict_history", [&h](const memory::ReclaimRequest& req) {
                       std::uint64_t freed = 0;
                       while (freed < req.bytes_to_free && h.count[req.row] > 0) {
                         freed += h.bytes[req.row * kRing + h.head[req.row]];
                         h.evict_oldest(req.context, req.population, req.row);
                       }
                     }});

  std::mt19937_64 rng(options.seed);
  std::uint64_t refused = 0;
  for (std::uint32_t step = 0; step < options.steps; ++step) {
    for (memory::AgentRow a = 0; a < options.agents; ++a) {
      // Agents differ in how much they record per step: a skewed size distribution.
      const auto size = static_cast<std::uint16_t>(16 + (rng() % 8) * (rng() % 8) * (a % 5 + 1));
      if (h.count[a] == kRing) h.evict_oldest(ctx, pop, a);  // the ring itself is full
      memory::AllocResult r = ctx.allocate(pop, a, history_tag, size);
      if (!r) {
        ++refused;
        continue;
      }
      const std::uint32_t slot = a * kRing + (h.head[a] + h.count[a]) % kRing;
      h.block[slot] = r.ptr;
      h.bytes[slot] = size;
      ++h.count[a];
    }
    acc.settle();
  }

  const memory::MemoryReport report = memory::MemoryReport::build(acc);
  std::printf(
      "cohort memory demo: %u agents, %u steps, %u-byte budget per agent, %llu refusals\n\n",
      options.agents, options.steps, options.budget_bytes,
      static_cast<unsigned long long>(refused));
  std::fputs(report.to_text().c_str(), stdout);
  const std::string json = report.to_json().dump(2) + "\n";

  // Everything is freed before the report is written, so a report that cannot be written
  // (an I/O error, exit 4) leaves nothing allocated behind.
  for (memory::AgentRow a = 0; a < options.agents; ++a)
    while (h.count[a] > 0)
      h.evict_oldest(ctx, pop, a);
  ctx.release_shared(pop, memory::TagRegistry::kComponents, columns, columns);
  acc.settle();
  const bool balanced = acc.engine_total().used == 0;

  std::filesystem::create_directories(options.json_out.parent_path());
  engine::write_file_atomically(options.json_out, json);
  std::printf("\nJSON report written to %s\n", options.json_out.c_str());
  return balanced ? 0 : 1;
}

}  // namespace cohort::cli
