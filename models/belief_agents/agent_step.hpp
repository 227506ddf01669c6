#pragma once
// One step of a block of belief agents: move, observe, infer, evaluate policies, act, remember.
// Shared by the model's system and its tests; everything per agent lives in the three columns.

#include <cstdint>
#include <span>
#include <vector>

#include "belief_store.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/system.hpp"
#include "grid_world.hpp"
#include "history.hpp"

namespace cohort::models::belief {

/// Per-agent component of fixed-size state (16 bytes).
struct AgentState {
  std::uint32_t cell = 0;   ///< true cell
  std::uint32_t start = 0;  ///< start cell (D's mode)
  std::uint32_t age = 0;    ///< steps taken
  std::uint8_t previous_action = kStay;
  std::uint8_t rungs = 0;  ///< RungBit flags: the budget rungs this agent reached
  std::uint8_t padding[2] = {};
  double entropy = 0;    ///< of the current belief
  double true_mass = 0;  ///< belief mass on the true cell
};

/// Bits of AgentState::rungs.
enum RungBit : std::uint8_t { kEvicted = 1, kPruned = 2, kRefused = 4 };

/// Random streams of an agent, per step.
enum Stream : std::uint16_t { kTransition = 0, kObserve = 1, kChoose = 2, kPlacement = 3 };

/// What a step needs besides the agents: the shared model and the decision parameters.
struct StepRules {
  const GridWorld* world = nullptr;
  std::vector<double> log_preferences;  ///< ln(softmax(C) + 1e-16)
  std::vector<double> prune_epsilons;   ///< per prune level
  std::uint32_t policy_length = 1;
  double gamma = 16, alpha = 16, start_mass = 0.9;
  bool deterministic = false;
  engine::RefusalPolicy on_refusal = engine::RefusalPolicy::fail;
  BeliefStore beliefs;
  HistoryOps history;
};

/// The columns a step works on.
struct AgentColumns {
  std::span<AgentState> state;
  std::span<BeliefRef> belief;
  std::span<HistoryRef> history;
};

/// Steps rows [begin, end). Throws memory::BudgetExceeded on a refusal under the fail policy.
void step_agents(const StepRules& rules, engine::BlockContext& ctx, const AgentColumns& cols,
                 engine::Row begin, engine::Row end);

/// Stores `v` for an agent, pruning harder level by level while the budget refuses it; returns
/// false if even the last level was refused (the belief is then a point mass on v's mode).
bool store_belief(const StepRules& rules, memory::ChargeContext& ctx,
                  memory::PopulationAccount& pop, engine::Row row, AgentState& state,
                  BeliefRef& ref, SparseVec& v);

/// Entropy of a belief (nats).
double belief_entropy(const SparseVec& v);
/// Mass of a belief on state `s` (binary search of the sorted support).
double belief_mass_at(const SparseVec& v, std::uint32_t s);

/// G of the best policy per first action, q(pi) and P(a) of an agent's belief, for traces.
struct Decision {
  std::vector<double> values, policy_posterior, action_probabilities;
};
Decision decide(const StepRules& rules, const SparseVec& qs, Workspace& ws);

}  // namespace cohort::models::belief
