// Allocation-failure sweep of pooled memory: for a short run of each model, the Nth upstream
// request of the pools (a pool block or a large chunk) fails, for every N up to the run's total.
// The run must complete (the failure was absorbed, e.g. by Boost.Pool's retry with a smaller
// block) or end with a typed error saying the system ran out of memory, never a budget refusal;
// the accountant's counters stay exact and nothing leaks (ASan's leak check in the asan build).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "cohort/memory/refusal.hpp"
#include "cohort/memory/upstream.hpp"
#include "sweep_support.hpp"

namespace {

using cohort::memory::UpstreamFaultInjector;
using cohort::testing::TempDir;

// The most runs one model's sweep makes (each is milliseconds; ~10x that under ASan).
#ifdef COHORT_SANITIZED
constexpr std::uint64_t kMaxRuns = 300;
#else
constexpr std::uint64_t kMaxRuns = 3000;
#endif

// How one run with the Nth upstream request failing ended.
struct Outcome {
  bool completed = false;
  std::string error;  // the typed error's message when it did not complete
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  std::vector<std::string> metrics;  // when completed
};

Outcome run_failing_at(const sweep::ModelRun& model, const cohort::engine::RunSettings& settings,
                       std::uint64_t fail_at) {
  Outcome out;
  // Requests N and N + 1 fail: a pool block's request and Boost.Pool's retry with half a block
  // (one failure alone is absorbed by the retry); a large or pass-through chunk has no retry.
  UpstreamFaultInjector inject(fail_at, 2);
  std::unique_ptr<cohort::engine::Simulation> sim;
  try {
    sim =
        std::make_unique<cohort::engine::Simulation>(cohort::testing::builtin_registry(), settings);
    const std::atomic<bool> stop{false};
    out.completed = sim->run(stop, nullptr) == cohort::engine::RunEnd::completed;
    out.metrics = sweep::metrics_of(*sim);
  } catch (const cohort::memory::BudgetExceeded& e) {
    // A system failure must not pass for an agent's budget refusal.
    INFO(model.model << " failing upstream request " << fail_at << ": " << e.what());
    CHECK(e.refusal().out_of_memory);
    out.error = e.what();
  } catch (const std::bad_alloc& e) {
    out.error = std::string("out of memory (std::bad_alloc: ") + e.what() + ")";
  } catch (const std::exception& e) {
    // Any other error (a wrapper or a logic error on the failure path) is a finding.
    FAIL_CHECK("not a typed out-of-memory error: " << e.what());
    out.error = e.what();
  }
  if (sim) sweep::check_counters(*sim);
  sim.reset();
  out.requests = inject.requests();
  out.failures = inject.failures();
  return out;
}

}  // namespace

TEST_CASE("every pooled allocation of every model can fail: typed error, exact counters") {
  TempDir dir("allocation_sweep");
  for (const sweep::ModelRun& model : sweep::short_runs()) {
    CAPTURE(model.model);
    const cohort::engine::RunSettings settings = sweep::settings_of(model, dir);
    const Outcome clean =
        run_failing_at(model, settings, std::numeric_limits<std::uint64_t>::max());
    REQUIRE(clean.completed);
    const std::uint64_t total = clean.requests;
    // Pooled, the runs take a block upstream only now and then (1 request for random_walk, 2 for
    // belief_agents; the other models keep no pooled per-agent data): every N is swept. ctest
    // also runs this case with COHORT_MEMORY_PASSTHROUGH=1 (the asan build always does), where
    // every chunk is its own upstream request (48 and 12): still every N, below kMaxRuns.
    const std::uint64_t stride = std::max<std::uint64_t>(1, (total + kMaxRuns - 1) / kMaxRuns);
    MESSAGE(model.model << ": " << total << " upstream requests, swept with stride " << stride);
    std::uint64_t failed_runs = 0;
    for (std::uint64_t n = 1; n <= total; n += stride) {
      CAPTURE(n);
      const Outcome o = run_failing_at(model, settings, n);
      CHECK(o.failures >= 1);
      if (!o.completed) {
        ++failed_runs;
        CHECK(o.error.find("out of memory") != std::string::npos);
      } else {
        CHECK(o.metrics == clean.metrics);  // absorbed (Boost.Pool's retry), results unchanged
      }
    }
    if (total > 0) CHECK(failed_runs > 0);
  }
}
