#pragma once
// Systems: named functions over a population, run in ordered phases of each step.

#include <cstdint>
#include <functional>
#include <string>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/deferred_commands.hpp"
#include "cohort/engine/random_stream.hpp"
#include "cohort/memory/charge_context.hpp"

namespace cohort::engine {

class Population;
class World;

/// What a per-agent system sees while it processes one block of rows.
struct BlockContext {
  World& world;
  Population& population;
  std::uint64_t step;
  std::size_t thread;             ///< index of the worker thread running this block
  std::size_t block;              ///< block number; rows [begin, end)
  memory::ChargeContext& memory;  ///< this thread's charge context
  DeferredCommands& commands;     ///< births and deaths, applied at the phase end
  std::uint64_t seed;

  /// The random stream of `agent` for this step and `stream`.
  RandomStream rng(AgentId agent, std::uint16_t stream) const;
};

/// Processes rows [begin, end) of a population. Called once per block (kBlockRows rows), never
/// per agent: the loop over agents is the system's own, so it can be tight and vectorised.
using BlockFn = std::function<void(BlockContext& ctx, Row begin, Row end)>;
/// A system that runs once per step on the main thread (population-wide work such as selection).
using StepFn = std::function<void(World& world, std::uint64_t step)>;

/// A named unit of work in a phase: either per-agent over blocks (parallel) or whole-step.
struct System {
  std::string name;
  std::string phase;
  std::uint16_t population = 0;  ///< for per-agent systems
  BlockFn per_block;             ///< set for per-agent systems
  StepFn per_step;               ///< set for whole-step systems
};

}  // namespace cohort::engine
