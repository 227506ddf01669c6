// Allocation-failure sweep of system memory: for a short run of each built-in model, the Nth
// operator new of the test's thread (failing_new.cpp; with threads: 1 the engine starts no
// worker) throws std::bad_alloc, swept over N up to the run's total. The failure must leave
// Simulation construction or run() as std::bad_alloc or a typed error saying the system ran out
// of memory: no crash, no std::terminate (an allocation in a destructor or noexcept function),
// exact accountant counters, and no leak (ASan's leak check in the asan build).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "cohort/memory/refusal.hpp"
#include "failing_new.hpp"
#include "sweep_support.hpp"

namespace {

using cohort::testing::FailingNew;
using cohort::testing::TempDir;

// The most runs one model's sweep makes. The short runs make 77 (forest_fire) to 238 (lj_melt)
// allocations in Release, so today every N is swept (0.25 s for all eight models); the cap
// keeps a longer run, or the ~10x slower asan build, within CI's budget.
#ifdef COHORT_SANITIZED
constexpr std::uint64_t kRunsPerModel = 150;
#else
constexpr std::uint64_t kRunsPerModel = 600;
#endif

struct Outcome {
  bool completed = false;
  bool failed = false;            // the Nth allocation was reached
  std::uint64_t allocations = 0;  // counted while armed
  std::string error;
  std::vector<std::string> metrics;  // when completed
};

// Builds, runs and destroys the simulation with the `fail_at`th allocation failing (0: none).
// The counters are checked, unarmed, on a simulation whose run() threw.
Outcome run_failing_at(const cohort::engine::RunSettings& settings, std::uint64_t fail_at) {
  Outcome out;
  std::unique_ptr<cohort::engine::Simulation> sim;
  {
    FailingNew armed(fail_at);
    try {
      // The caller's copy of the settings is swept too (config_copy_sweep_test.cpp).
      cohort::engine::RunSettings copy = settings;
      sim = std::make_unique<cohort::engine::Simulation>(cohort::testing::builtin_registry(),
                                                         std::move(copy));
      const std::atomic<bool> stop{false};
      out.completed = sim->run(stop, nullptr) == cohort::engine::RunEnd::completed;
      FailingNew::Pause pause;
      out.metrics = sweep::metrics_of(*sim);
    } catch (const cohort::memory::BudgetExceeded& e) {
      FailingNew::Pause pause;
      CHECK_MESSAGE(e.refusal().out_of_memory, e.what());
      out.error = e.what();
    } catch (const std::bad_alloc&) {
      out.error = "out of memory (std::bad_alloc)";
    } catch (const std::exception& e) {
      // Any other error (a wrapper or a logic error on the failure path) is a finding.
      FailingNew::Pause pause;
      FAIL_CHECK("not a typed out-of-memory error: " << e.what());
      out.error = e.what();
    }
    {
      FailingNew::Pause pause;
      if (sim && !out.completed) sweep::check_counters(*sim);
    }
    sim.reset();  // armed: a destructor must free, never allocate and throw
    out.failed = FailingNew::failed();
    out.allocations = FailingNew::count();
  }
  return out;
}

}  // namespace

TEST_CASE("every system allocation of a short run of each model can fail cleanly") {
  TempDir dir("system_sweep");
  for (const sweep::ModelRun& model : sweep::short_runs()) {
    CAPTURE(model.model);
    const cohort::engine::RunSettings settings = sweep::settings_of(model, dir);
    // Twice: the first run of a model also makes its one-time allocations (thread-local
    // buffers, function statics), which later runs no longer make.
    REQUIRE(run_failing_at(settings, 0).completed);
    const Outcome clean = run_failing_at(settings, 0);
    REQUIRE(clean.completed);
    const std::uint64_t total = clean.allocations;
    const std::uint64_t stride = std::max<std::uint64_t>(1, total / kRunsPerModel);
    MESSAGE(model.model << ": " << total << " allocations, swept with stride " << stride);
    std::uint64_t swept = 0;
    std::uint64_t failed_runs = 0;
    // From 1, so the first allocations of construction are always among those swept.
    for (std::uint64_t n = 1; n <= total; n += stride) {
      CAPTURE(n);
      const Outcome o = run_failing_at(settings, n);
      ++swept;
      CHECK(o.failed);
      if (!o.completed) {
        ++failed_runs;
        CHECK(o.error.find("out of memory") != std::string::npos);
      } else {
        CHECK(o.metrics == clean.metrics);  // a failure absorbed must not change a result
      }
    }
    CHECK(swept >= std::min<std::uint64_t>(total, kRunsPerModel));
    CHECK(failed_runs > 0);
  }
}
