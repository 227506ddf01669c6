// The `cohort` command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "memory_demo.hpp"

int main(int argc, char** argv) {
  CLI::App app{"cohort: agent-based simulation with pooled, budgeted, truthfully reported memory"};
  app.set_version_flag("--version", std::string("cohort ") + COHORT_VERSION);
  app.require_subcommand(1);

  cohort::cli::MemoryDemoOptions demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "memory-demo",
      "Allocate history for synthetic agents under budgets; print the memory report");
  demo_cmd->add_option("--agents", demo.agents, "Number of agents")
      ->check(CLI::Range(1u, 10000000u));
  demo_cmd->add_option("--steps", demo.steps, "Steps to run")->check(CLI::Range(1u, 100000u));
  demo_cmd->add_option("--budget", demo.budget_bytes, "Hard budget per agent in bytes")
      ->check(CLI::Range(64u, 1u << 30));
  demo_cmd->add_option("--seed", demo.seed, "Random seed");
  demo_cmd->add_option("--json", demo.json_out, "Where to write the JSON memory report");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*demo_cmd) return cohort::cli::run_memory_demo(demo);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cohort: error: %s\n", e.what());
    return 4;
  }
  return 0;
}
