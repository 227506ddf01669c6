// Soak: a long create/destroy churn through the whole engine path (deaths and births deferred to
// the phase end, a pooled per-agent block allocated at birth and freed by the release hook), to
// show that nothing creeps: the agents' accounted bytes return exactly to zero when they go,
// and the leak rule finds no growth in accounted bytes or RSS over the run.
//
//   build/release/bench/soak_bench [steps=1000000] [agents=10000]
//
// Each step the agents a keyed hash picks die (about 2%: 199 of 10,000 a step, measured) and as
// many are born (each death is paired with a birth); a newborn holds a 64..512-byte block chosen
// by its uid. Samples every steps/200.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cohort/engine/leak_detector.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/memory/process_memory.hpp"

using namespace cohort;
using engine::Row;

namespace {

struct Block {
  void* data;
  std::uint32_t bytes;
};

std::uint32_t block_bytes(engine::Uid uid) {
  return 64 + 64 * static_cast<std::uint32_t>(uid % 8);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t steps = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::uint64_t agents = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10'000;
  engine::World world(engine::WorldOptions{7, 1});
  engine::Population& pop = world.add_population("churners", {.agent_ledger = true});
  const engine::Component<Block> block =
      pop.add_component<Block>("block", engine::ColumnKind::handle);
  const memory::TagId tag = world.accountant().tags().intern("soak.block");
  const auto give = [&](memory::ChargeContext& ctx, Row r) {
    const std::uint32_t bytes = block_bytes(pop.uid_at(r));
    const memory::AllocResult a = ctx.allocate(pop.account(), r, tag, bytes);
    if (!a) throw memory::BudgetExceeded(ctx.last_refusal());
    pop.column(block)[r] = {a.ptr, bytes};
  };
  pop.set_release([&](memory::ChargeContext& ctx, Row r) {
    const Block b = pop.column(block)[r];
    ctx.deallocate(pop.account(), r, tag, b.data, b.bytes);
  });
  pop.on_create([&](engine::Population&, Row r) { give(world.accountant().context(0), r); });

  pop.reserve(agents);
  for (std::uint64_t i = 0; i < agents; ++i)
    pop.create();

  world.add_system("churn", "update", pop, [&](engine::BlockContext& ctx, Row begin, Row end) {
    const auto uids = ctx.population.uids();
    for (Row r = begin; r < end; ++r)
      if ((uids[r] * 0x9E3779B97F4A7C15ull + ctx.step) % 100 == 0) {
        ctx.kill(ctx.population.index(), ctx.population.id_at(r), r);
        ctx.spawn(ctx.population.index(), r, {});
      }
  });

  const std::uint64_t every = steps / 200 > 0 ? steps / 200 : 1;
  std::vector<double> at, accounted, rss;
  for (std::uint64_t s = 1; s <= steps; ++s) {
    world.run_step();
    if (s % every == 0) {
      at.push_back(static_cast<double>(s));
      accounted.push_back(static_cast<double>(world.accountant().engine_total().used));
      rss.push_back(static_cast<double>(memory::ProcessMemory::current_rss()));
    }
  }
  const engine::LeakCriteria rule{.warmup = steps / 10};
  const engine::LeakAnalysis acc = engine::analyse_leak(at, accounted, rule);
  const engine::LeakAnalysis res = engine::analyse_leak(at, rss, rule);
  std::printf("steps %llu, agents %zu, agents ever created %llu\n",
              static_cast<unsigned long long>(steps), pop.size(),
              static_cast<unsigned long long>(world.next_uid()));
  std::printf("accounted: first %.0f B, last %.0f B, verdict %s (%s)\n", accounted.front(),
              accounted.back(), engine::to_string(acc.verdict), acc.reason.c_str());
  std::printf("rss: first %.0f B, last %.0f B, verdict %s (%s)\n", rss.front(), rss.back(),
              engine::to_string(res.verdict), res.reason.c_str());
  pop.clear();
  world.accountant().settle();
  // The agents' blocks are all gone; the population keeps only its column storage.
  const std::uint64_t after = world.accountant().engine_total(tag).used;
  const std::uint64_t agents_after = pop.account().total(memory::Scope::agents).used;
  std::printf("after every agent was destroyed: soak.block %llu B, agents' bytes %llu B\n",
              static_cast<unsigned long long>(after),
              static_cast<unsigned long long>(agents_after));
  const bool ok = after == 0 && agents_after == 0 && acc.verdict == engine::LeakVerdict::no_leak &&
                  res.verdict != engine::LeakVerdict::leak;
  std::printf("%s\n", ok ? "soak: ok" : "soak: FAILED");
  return ok ? 0 : 1;
}
