// Churn benchmark of the memory layer: what one alloc+free pair costs through cohort's accounted
// pooled path, compared with an unaccounted boost::pool and with plain malloc/free.
//
// Variants, from the floor up:
//   BM_Malloc         malloc/free
//   BM_BoostPool      one boost::pool of the chunk size (size known at construction)
//   BM_SizeClassPools cohort's PoolSet, unaccounted: size class looked up per call at run time
//   BM_Accounted      ChargeContext::allocate/deallocate(pop, row, tag, bytes): budget check,
//                     size-class pool, agent ledger and tag deltas
//   BM_AccountedSlot  the same accounting through a ChargeSlot resolved once (no class lookup)
// so SizeClassPools - BoostPool is the cost of runtime size classes and Accounted(Slot) -
// SizeClassPools the cost of accounting.
//
// Every variant runs the same loop (run_churn) over the same deterministic slot sequence:
// N live slots are filled up front, then each timed iteration frees the chunk in a pseudo-random
// slot and allocates a replacement into it. One iteration is one alloc+free pair, so the reported
// time is ns per pair and items/s is pairs per second.
//
// Names read BM_<variant>/<chunk bytes>/<live slots>, e.g. BM_Accounted/64/65536.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include <boost/pool/pool.hpp>

#include "cohort/memory/accountant.hpp"
#include "cohort/memory/charge_context.hpp"
#include "cohort/memory/population_account.hpp"
#include "cohort/memory/tags.hpp"

namespace {

namespace mem = cohort::memory;

// Length of the precomputed slot sequence (a power of two so wrapping is a mask). 2^16 indices
// (256 KiB, read sequentially) repeat only every 65536 pairs, yet stay small next to the chunks.
constexpr std::size_t kSequenceLength = std::size_t{1} << 16;
constexpr std::size_t kSequenceMask = kSequenceLength - 1;

// Agents the accounted variant spreads its slots over (slot % kAgents picks the ledger row).
constexpr std::size_t kAgents = 1024;

// Pseudo-random slot indices in [0, live), fixed seed, so every variant and every run replays
// the same churn and the RNG stays out of the timed loop.
std::vector<std::uint32_t> make_sequence(std::size_t live) {
  std::mt19937_64 rng(42);
  std::vector<std::uint32_t> seq(kSequenceLength);
  // Modulo rather than a distribution: its result is the same on every standard library, and the
  // bias for 64-bit draws over at most 2^16 slots is negligible.
  for (std::uint32_t& s : seq)
    s = static_cast<std::uint32_t>(rng() % live);
  return seq;
}

// The loop shared by all variants. `Alloc` provides allocate(slot) and deallocate(slot, ptr);
// keeping the loop in one place guarantees identical work around the allocator calls.
template <class Alloc>
void run_churn(benchmark::State& state, Alloc& alloc) {
  const auto live = static_cast<std::size_t>(state.range(1));
  const std::vector<std::uint32_t> seq = make_sequence(live);
  std::vector<void*> slots(live);

  // Fill every slot first, untimed, so the timed loop measures steady-state churn, not growth.
  // After SkipWithError the timed loop below runs no iteration, so a failure falls to teardown.
  for (std::size_t s = 0; s < live; ++s) {
    slots[s] = alloc.allocate(s);
    if (slots[s] == nullptr) {
      state.SkipWithError("allocation failed while filling");
      break;
    }
    static_cast<unsigned char*>(slots[s])[0] = 1;
  }

  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t s = seq[i & kSequenceMask];
    alloc.deallocate(s, slots[s]);
    // A compiler-only barrier (no instruction). Without it, an inlined LIFO free list lets the
    // compiler fold "push p; pop" into "p" and the inlined ledger/delta updates into no-ops, so the
    // pool variants would measure an empty loop. In real code other work separates the two calls.
    benchmark::ClobberMemory();
    void* p = alloc.allocate(s);
    slots[s] = p;  // before the check: a failed slot must read null at teardown, not freed memory
    if (p == nullptr) [[unlikely]] {
      state.SkipWithError("allocation failed");
      break;
    }
    // One byte, identical in every variant: the chunk is really used, so no allocator call can be
    // elided, and the cost of touching it (a likely cache miss for big live sets) is shared.
    static_cast<unsigned char*>(p)[0] = static_cast<unsigned char>(i);
    benchmark::DoNotOptimize(p);
    ++i;
  }

  // Teardown is untimed. Null slots (a failed or never-made allocation) hold nothing to free.
  for (std::size_t s = 0; s < live; ++s)
    if (slots[s] != nullptr) alloc.deallocate(s, slots[s]);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// --- variants ---------------------------------------------------------------------------------

struct MallocAlloc {
  std::size_t bytes;
  void* allocate(std::size_t /*slot*/) { return std::malloc(bytes); }
  void deallocate(std::size_t /*slot*/, void* p) { std::free(p); }
};

// boost::pool with its default user allocator and default block growth, using only the O(1)
// unordered malloc/free: the floor the accounted path is measured against.
struct BoostPoolAlloc {
  boost::pool<> pool;
  explicit BoostPoolAlloc(std::size_t bytes) : pool(bytes) {}
  void* allocate(std::size_t /*slot*/) { return pool.malloc(); }
  void deallocate(std::size_t /*slot*/, void* p) { pool.free(p); }
};

// cohort's accounted pooled path: budget check, size-class pool, agent ledger and tag deltas.
struct AccountedAlloc {
  mem::ChargeContext& ctx;
  mem::PopulationAccount& pop;
  mem::TagId tag;
  std::size_t bytes;

  // The slot's agent must be the same at allocate and deallocate; slot % kAgents is.
  static mem::AgentRow row_of(std::size_t slot) {
    return static_cast<mem::AgentRow>(slot % kAgents);
  }
  void* allocate(std::size_t slot) { return ctx.allocate(pop, row_of(slot), tag, bytes).ptr; }
  void deallocate(std::size_t slot, void* p) { ctx.deallocate(pop, row_of(slot), tag, p, bytes); }
};

// cohort's pools without accounting: the request size is a run-time value, as it is for the
// accounted path, so each call looks up its size class.
struct SizeClassPoolsAlloc {
  mem::PoolSet pools;  // the default mode, like the accounted variants
  std::size_t bytes;
  explicit SizeClassPoolsAlloc(std::size_t b) : bytes(b) {}
  void* allocate(std::size_t /*slot*/) { return pools.allocate(bytes).ptr; }
  void deallocate(std::size_t /*slot*/, void* p) { pools.deallocate(p, bytes); }
};

// The accounted path through a ChargeSlot: population, tag, size class and counters resolved
// once, as a model does for its fixed-size blocks.
struct AccountedSlotAlloc {
  mem::ChargeContext& ctx;
  mem::ChargeSlot slot;

  void* allocate(std::size_t s) { return ctx.allocate(slot, AccountedAlloc::row_of(s)).ptr; }
  void deallocate(std::size_t s, void* p) { ctx.deallocate(slot, AccountedAlloc::row_of(s), p); }
};

// --- benchmarks -------------------------------------------------------------------------------

void BM_Malloc(benchmark::State& state) {
  MallocAlloc alloc{static_cast<std::size_t>(state.range(0))};
  run_churn(state, alloc);
}

void BM_BoostPool(benchmark::State& state) {
  BoostPoolAlloc alloc(static_cast<std::size_t>(state.range(0)));
  run_churn(state, alloc);
}

void BM_SizeClassPools(benchmark::State& state) {
  SizeClassPoolsAlloc alloc(static_cast<std::size_t>(state.range(0)));
  run_churn(state, alloc);
}

// Settling is the per-phase cost the engine pays, not a per-allocation one: do it once, untimed,
// and check the books balance (everything was freed) so a broken run cannot pass silently.
void settle_and_check(benchmark::State& state, mem::Accountant& acc, mem::TagId tag) {
  acc.settle();
  if (acc.engine_total(tag).used != 0) state.SkipWithError("accounted bytes did not return to 0");
}

void BM_Accounted(benchmark::State& state) {
  mem::Accountant acc;  // one thread, default (pooled) mode, unlimited budgets
  mem::PopulationAccount& pop = acc.add_population("bench");
  for (std::size_t a = 0; a < kAgents; ++a)
    pop.add_agent();
  const mem::TagId tag = acc.tags().intern("bench");
  AccountedAlloc alloc{acc.context(0), pop, tag, static_cast<std::size_t>(state.range(0))};
  run_churn(state, alloc);
  settle_and_check(state, acc, tag);
}

void BM_AccountedSlot(benchmark::State& state) {
  mem::Accountant acc;  // as BM_Accounted
  mem::PopulationAccount& pop = acc.add_population("bench");
  for (std::size_t a = 0; a < kAgents; ++a)
    pop.add_agent();
  const mem::TagId tag = acc.tags().intern("bench");
  mem::ChargeContext& ctx = acc.context(0);
  AccountedSlotAlloc alloc{ctx, ctx.slot(pop, tag, static_cast<std::size_t>(state.range(0)))};
  run_churn(state, alloc);
  settle_and_check(state, acc, tag);
}

// Chunk sizes x live-set sizes. 4096 slots (64 KiB..1 MiB of chunks) stay cache-resident on
// typical cores, so they show the allocator's own work; 65536 slots (1..16 MiB) mostly do not, so
// they add the cache miss on the chunk that every variant pays.
void churn_args(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({{16, 32, 64, 128, 256}, {4096, 65536}});
}

BENCHMARK(BM_Malloc)->Apply(churn_args);
BENCHMARK(BM_BoostPool)->Apply(churn_args);
BENCHMARK(BM_SizeClassPools)->Apply(churn_args);
BENCHMARK(BM_Accounted)->Apply(churn_args);
BENCHMARK(BM_AccountedSlot)->Apply(churn_args);

}  // namespace

BENCHMARK_MAIN();
