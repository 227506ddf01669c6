// The classic ABM models timed as the framework comparison times Agents.jl (issue 12): model
// construction + all steps, in-process, no outputs, a fresh seed per run (drawn from a fixed
// generator, seeds 1..10000 as the comparison's MersenneTwister(42) does), the lower median
// over the runs; construction and stepping are reported separately too, with memory per agent.
//
//   build/release/bench/abm_models_bench CONFIG [RUNS=100] [THREADS=1] [--set key=value]...
//
// e.g. build/release/bench/abm_models_bench configs/schelling_small.yaml 100 1
//      build/release/bench/abm_models_bench configs/flocking_large.yaml 100 1
//      (Agents.jl's approximate search: add --set space.query=cells_only)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/models/builtin.hpp"

using namespace cohort;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Summary {
  double median, min, max;
};

// Julia's median of the benchmark: element n/2 (lower median) of the sorted times.
Summary summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[(v.size() - 1) / 2], v.front(), v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [RUNS] [THREADS] [--set key=value]...\n", argv[0]);
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string threads = argc > 3 ? argv[3] : "1";
  std::vector<std::string> overrides{"threads=" + threads};
  for (int i = 4; i + 1 < argc; i += 2)
    if (std::string(argv[i]) == "--set") overrides.emplace_back(argv[i + 1]);
  engine::ModelRegistry registry;
  models::register_builtin_models(registry);
  const engine::RunSettings settings = engine::load_run_settings(registry, argv[1], overrides);
  const engine::ModelInfo& info = *registry.find(settings.model);

  std::mt19937_64 seeds(42);
  std::vector<double> build, steps, total;
  double agents = 0, total_bytes = 0;
  for (int run = 0; run < runs; ++run) {
    const std::uint64_t seed = 1 + seeds() % 10000;
    const auto t0 = Clock::now();
    engine::World world(engine::WorldOptions{seed, settings.threads});
    std::unique_ptr<engine::Model> model = info.create();
    model->build(world, settings.model_setup());
    const auto t1 = Clock::now();
    if (run == 0) {  // memory after construction (untimed): what the populations' budgets count
      world.accountant().settle();
      double bytes = 0;
      for (std::size_t p = 0; p < world.population_count(); ++p) {
        bytes += static_cast<double>(world.population(p).budget_bytes());
        agents += static_cast<double>(world.population(p).size());
      }
      total_bytes = bytes;
    }
    const auto t1b = Clock::now();
    for (std::uint64_t s = 0; s < settings.steps; ++s)
      world.run_step();
    const auto t2 = Clock::now();
    build.push_back(ms(t1 - t0));
    steps.push_back(ms(t2 - t1b));
    total.push_back(ms(t1 - t0) + ms(t2 - t1b));
    for (std::size_t p = 0; p < world.population_count(); ++p)
      world.population(p).clear();
    model->release(world);
  }
  const Summary b = summarise(build), s = summarise(steps), t = summarise(total);
  std::printf("%s: %d runs, %s threads, %.0f agents at t=0\n", argv[1], runs, threads.c_str(),
              agents);
  std::printf("  construction + steps: median %.3f ms (min %.3f, max %.3f)\n", t.median, t.min,
              t.max);
  std::printf("  construction:         median %.3f ms (min %.3f, max %.3f)\n", b.median, b.min,
              b.max);
  std::printf("  steps:                median %.3f ms (min %.3f, max %.3f)\n", s.median, s.min,
              s.max);
  // A model whose state is all cells (ForestFire's trees) has no agents to divide by.
  if (agents > 0)
    std::printf(
        "  memory after construction: %.0f B, %.1f B per agent (columns, ids, ledgers, "
        "space cells and layers: the population budgets' figure)\n",
        total_bytes, total_bytes / agents);
  else
    std::printf(
        "  memory after construction: %.0f B, no agents (the state is cell layers: the "
        "population budgets' figure)\n",
        total_bytes);
  return 0;
}
