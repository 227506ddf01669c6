#include "agent_step.hpp"

#include <algorithm>
#include <cmath>

#include "active_inference.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/memory/refusal.hpp"

namespace cohort::models::belief {

namespace {

std::size_t sample_observation(const GridWorld& w, std::uint32_t cell, double u) {
  double acc = 0;
  for (std::size_t o = 0; o + 1 < w.levels(); ++o)
    if (u < (acc += w.likelihood(o, cell))) return o;
  return w.levels() - 1;
}

}  // namespace

double belief_entropy(const SparseVec& v) {
  double h = 0;
  for (double x : v.value)
    if (x > 0) h -= x * std::log(x);
  return h;
}

double belief_mass_at(const SparseVec& v, std::uint32_t s) {
  const auto it = std::lower_bound(v.index.begin(), v.index.end(), s);
  return it != v.index.end() && *it == s ? v.value[static_cast<std::size_t>(it - v.index.begin())]
                                         : 0.0;
}

bool store_belief(const StepRules& rules, memory::ChargeContext& ctx,
                  memory::PopulationAccount& pop, engine::Row row, AgentState& state,
                  BeliefRef& ref, SparseVec& v) {
  const std::size_t top = rules.prune_epsilons.size() - 1;
  while (true) {
    if (rules.beliefs.store(ctx, pop, row, ref, v) == memory::ChargeStatus::ok) return true;
    if (ref.level >= top) break;
    ++ref.level;  // the rung "prune beliefs harder", taken by the belief itself
    state.rungs |= kPruned;
    prune(v, rules.prune_epsilons[ref.level]);
  }
  // Keep going on the point mass store() left (it needs no memory).
  v.index.assign(1, ref.point);
  v.value.assign(1, 1.0);
  return false;
}

Decision decide(const StepRules& rules, const SparseVec& qs, Workspace& ws) {
  evaluate_policies(*rules.world, rules.log_preferences, qs, rules.policy_length, ws);
  Decision d;
  d.policy_posterior.resize(ws.values.size());
  d.action_probabilities.resize(kActions);
  policy_posterior(ws.values, rules.gamma, d.policy_posterior);
  action_marginal(d.policy_posterior, kActions, rules.policy_length, d.action_probabilities);
  d.values = ws.values;
  return d;
}

void step_agents(const StepRules& rules, engine::BlockContext& ctx, const AgentColumns& cols,
                 engine::Row begin, engine::Row end) {
  const GridWorld& w = *rules.world;
  memory::PopulationAccount& pop = ctx.population.account();
  Workspace& ws = thread_workspace();
  ws.fit(w.states(), rules.policy_length);
  std::vector<double>& q_pi = ws.policy_posterior;
  const auto uids = ctx.population.uids();
  for (engine::Row r = begin; r < end; ++r) {
    AgentState& st = cols.state[r];
    BeliefRef& ref = cols.belief[r];
    // The true world moves by B for the previous action, then shows an observation by A.
    if (st.age > 0) {
      engine::RandomStream move = ctx.rng(uids[r], kTransition);
      const Transition& t = w.transition(st.cell, st.previous_action);
      if (move.uniform() < t.move) st.cell = t.target;
    }
    engine::RandomStream look = ctx.rng(uids[r], kObserve);
    const std::size_t o = sample_observation(w, st.cell, look.uniform());

    // Beliefs: prior = D at the first step, B_{a_prev} qs_prev after.
    if (st.age == 0) {
      initial_prior(w, st.start, rules.start_mass, ws.prior);
    } else {
      rules.beliefs.load(ref, ws.scratch);
      predict(w, ws.scratch, st.previous_action, ws, ws.prior);
    }
    update(w, ws.prior, o, ws.posterior);  // (entropy and true-cell mass: at metrics time)
    prune(ws.posterior, rules.prune_epsilons[ref.level]);
    if (!store_belief(rules, ctx.memory, pop, r, st, ref, ws.posterior)) {
      st.rungs |= kRefused;
      if (rules.on_refusal == engine::RefusalPolicy::fail)
        throw memory::BudgetExceeded(ctx.memory.last_refusal());
      cols.history[r].frozen = 1;
    }

    // Policies, q(pi), P(a), the action.
    evaluate_policies(w, rules.log_preferences, ws.posterior, rules.policy_length, ws);
    q_pi.resize(ws.values.size());
    double P[kActions];
    policy_posterior(ws.values, rules.gamma, q_pi);
    action_marginal(q_pi, kActions, rules.policy_length, P);
    const double u = rules.deterministic ? 0.0 : ctx.rng(uids[r], kChoose).uniform();
    const std::size_t a = choose_action(P, rules.deterministic, rules.alpha, u);
    const std::size_t per_first = ws.values.size() / kActions;
    const double best = *std::max_element(ws.values.begin() + a * per_first,
                                          ws.values.begin() + (a + 1) * per_first);

    const HistoryEntry entry{best, st.cell, static_cast<std::uint8_t>(a),
                             static_cast<std::uint8_t>(o)};
    if (rules.history.record(ctx.memory, pop, r, cols.history[r], entry) ==
        HistoryRecord::refused) {
      st.rungs |= kRefused;
      if (rules.on_refusal == engine::RefusalPolicy::fail)
        throw memory::BudgetExceeded(ctx.memory.last_refusal());
      cols.history[r].frozen = 1;
    }
    st.previous_action = static_cast<std::uint8_t>(a);
    ++st.age;
  }
}

}  // namespace cohort::models::belief
