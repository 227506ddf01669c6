// belief_agents' compressed history: the ratio and speed the codec choice was made from, on
// agent-like entries (a few actions and observations, G drifting smoothly with small noise).
//
//   build/release/bench/history_codec_bench --benchmark_repetitions=5
//
// BM_HistoryRecord: entries recorded into one history of 256 blocks of 64 entries (sealing
// compresses each full block); bytes/s are raw entry bytes. The counter `ratio` is raw / sealed.
// BM_HistoryRead: the same history decompressed back; bytes/s are raw entry bytes.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "belief_agents/history.hpp"
#include "cohort/memory/accountant.hpp"

using namespace cohort::models::belief;
namespace mem = cohort::memory;

namespace {

constexpr std::size_t kEntries = 64 * 200 + 1;  // 200 sealed blocks and one open entry

// One agent's ledger to charge the history to.
struct Ledger {
  mem::Accountant acc{mem::AccountantOptions{1}};
  mem::TagId tag = acc.tags().intern("history");
  mem::PopulationAccount& pop = acc.add_population("explorers", mem::BudgetLimits::unlimited());
  mem::AgentRow row = pop.add_agent();
  mem::ChargeContext& ctx = acc.context(0);
};

std::vector<HistoryEntry> agent_like_entries() {
  std::mt19937_64 gen(3);
  std::vector<HistoryEntry> in;
  for (std::size_t i = 0; i < kEntries; ++i)
    in.push_back({-1.3 + 0.001 * static_cast<double>(gen() % 100),
                  static_cast<std::uint32_t>(gen() % 100), static_cast<std::uint8_t>(gen() % 5),
                  static_cast<std::uint8_t>(gen() % 4)});
  return in;
}

Codec codec_of(const benchmark::State& state) {
  return state.range(0) == 0 ? Codec::lz4 : Codec::zstd;
}

void BM_HistoryRecord(benchmark::State& state) {
  Ledger l;
  const HistoryOps ops{l.tag, codec_of(state), 64, 256};
  const std::vector<HistoryEntry> in = agent_like_entries();
  HistoryStats s{};
  for (auto _ : state) {
    HistoryRef h;
    for (const HistoryEntry& e : in)
      ops.record(l.ctx, l.pop, l.row, h, e);
    state.PauseTiming();
    s = ops.stats(h);
    ops.release(l.ctx, l.pop, l.row, h);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.sealed_raw_bytes));
  state.counters["ratio"] =
      static_cast<double>(s.sealed_raw_bytes) / static_cast<double>(s.sealed_bytes);
}
BENCHMARK(BM_HistoryRecord)->ArgName("zstd")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_HistoryRead(benchmark::State& state) {
  Ledger l;
  const HistoryOps ops{l.tag, codec_of(state), 64, 256};
  HistoryRef h;
  for (const HistoryEntry& e : agent_like_entries())
    ops.record(l.ctx, l.pop, l.row, h, e);
  const HistoryStats s = ops.stats(h);
  std::vector<HistoryEntry> out;
  for (auto _ : state) {
    out.clear();
    ops.read(h, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out.size() != kEntries) state.SkipWithError("the history did not read back every entry");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.sealed_raw_bytes));
  ops.release(l.ctx, l.pop, l.row, h);
}
BENCHMARK(BM_HistoryRead)->ArgName("zstd")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
