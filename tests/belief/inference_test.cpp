// The dense reference functions against values worked out by hand on a 3-state model.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "belief_agents/active_inference.hpp"

using namespace cohort::models::belief;

namespace {

// 2 observations, 3 states, 2 actions: action 0 stays, action 1 moves s -> s + 1 (mod 3).
const std::vector<double> kA = {0.9, 0.1, 0.5,   // o = 0
                                0.1, 0.9, 0.5};  // o = 1
std::vector<double> three_state_b() {
  std::vector<double> B(3 * 3 * 2, 0.0);
  for (std::size_t s = 0; s < 3; ++s) {
    B[(s * 3 + s) * 2 + 0] = 1.0;
    B[(((s + 1) % 3) * 3 + s) * 2 + 1] = 1.0;
  }
  return B;
}

// One step of G by hand: utility with all states, information gain over qs > exp(-16).
double hand_step(const std::vector<double>& q, const std::vector<double>& log_c) {
  const double cut = std::exp(-16.0);
  const double qo0 = 0.9 * q[0] + 0.1 * q[1] + 0.5 * q[2];
  const double qo1 = 0.1 * q[0] + 0.9 * q[1] + 0.5 * q[2];
  const double utility = qo0 * log_c[0] + qo1 * log_c[1];
  const double h01 = 0.9 * std::log(0.9 + cut) + 0.1 * std::log(0.1 + cut);  // states 0 and 1
  const double h2 = 2 * 0.5 * std::log(0.5 + cut);
  const double ambiguity = q[0] * h01 + q[1] * h01 + q[2] * h2;
  const double entropy = qo0 * std::log(qo0 + 1e-16) + qo1 * std::log(qo1 + 1e-16);
  return utility + ambiguity - entropy;
}

}  // namespace

TEST_CASE("infer_states on the 3-state example matches the hand-computed posterior") {
  const std::vector<double> B = three_state_b();
  const DenseModel m{3, 2, 2, kA, B};
  const std::vector<double> prior = {0.5, 0.25, 0.25};
  std::vector<double> qs(3);
  infer_states(m, prior, 0, qs);
  // (0.9 * 0.5, 0.1 * 0.25, 0.5 * 0.25) / 0.6
  CHECK(qs[0] == doctest::Approx(0.75).epsilon(1e-13));
  CHECK(qs[1] == doctest::Approx(0.025 / 0.6).epsilon(1e-13));
  CHECK(qs[2] == doctest::Approx(0.125 / 0.6).epsilon(1e-13));

  // The next step's prior is B_a qs: action 1 rotates it.
  std::vector<double> next(3);
  predict_states(m, qs, 1, next);
  CHECK(next[1] == doctest::Approx(0.75));
  CHECK(next[2] == doctest::Approx(0.025 / 0.6));
  CHECK(next[0] == doctest::Approx(0.125 / 0.6));
}

TEST_CASE("G of one- and two-step policies on the 3-state example matches the hand values") {
  const std::vector<double> B = three_state_b();
  const DenseModel m{3, 2, 2, kA, B};
  const std::vector<double> C = {0.0, 1.0};
  const std::vector<double> log_c = log_preferences(C);
  const double e = std::exp(1.0);
  CHECK(log_c[1] == doctest::Approx(std::log(e / (1 + e) + 1e-16)).epsilon(1e-14));
  const std::vector<double> qs = {0.75, 0.025 / 0.6, 0.125 / 0.6};
  const std::vector<double> rotated = {qs[2], qs[0], qs[1]};
  const std::vector<double> twice = {qs[1], qs[2], qs[0]};

  const std::vector<std::size_t> stay = {0}, move = {1};
  CHECK(policy_value(m, log_c, qs, stay) == doctest::Approx(hand_step(qs, log_c)).epsilon(1e-13));
  CHECK(policy_value(m, log_c, qs, move) ==
        doctest::Approx(hand_step(rotated, log_c)).epsilon(1e-13));
  const std::vector<std::size_t> move_move = {1, 1}, move_stay = {1, 0};
  CHECK(policy_value(m, log_c, qs, move_move) ==
        doctest::Approx(hand_step(rotated, log_c) + hand_step(twice, log_c)).epsilon(1e-13));
  CHECK(policy_value(m, log_c, qs, move_stay) ==
        doctest::Approx(2 * hand_step(rotated, log_c)).epsilon(1e-13));

  // evaluate_policies enumerates with the first action most significant: 00, 01, 10, 11.
  const std::vector<double> G = evaluate_policies(m, log_c, qs, 2);
  REQUIRE(G.size() == 4);
  CHECK(G[2] == doctest::Approx(2 * hand_step(rotated, log_c)).epsilon(1e-13));
  CHECK(G[1] == doctest::Approx(hand_step(qs, log_c) + hand_step(rotated, log_c)).epsilon(1e-13));
}

TEST_CASE("the information gain skips states under exp(-16) but the utility does not") {
  // qs = 1e-8 on state 1 is under exp(-16) = 1.1e-7: it counts in the utility's A qs only.
  const std::vector<double> B = three_state_b();
  const DenseModel m{3, 2, 2, kA, B};
  const std::vector<double> log_c = log_preferences(std::vector<double>{0.3, -0.2});
  const std::vector<double> qs = {1.0 - 1e-8, 1e-8, 0.0};
  const double cut = std::exp(-16.0);
  const double qo0 = 0.9 * qs[0] + 0.1 * qs[1], qo1 = 0.1 * qs[0] + 0.9 * qs[1];
  const double qt0 = 0.9 * qs[0], qt1 = 0.1 * qs[0];  // state 1 cut
  const double h = 0.9 * std::log(0.9 + cut) + 0.1 * std::log(0.1 + cut);
  const double hand = qo0 * log_c[0] + qo1 * log_c[1] + qs[0] * h -
                      (qt0 * std::log(qt0 + 1e-16) + qt1 * std::log(qt1 + 1e-16));
  const std::vector<std::size_t> stay = {0};
  CHECK(std::abs(policy_value(m, log_c, qs, stay) - hand) < 1e-14);
  // Counting state 1 in the gain as well would move G by about 1e-8: the test can tell.
  const double wrong = qo0 * log_c[0] + qo1 * log_c[1] + (qs[0] + qs[1]) * h -
                       (qo0 * std::log(qo0 + 1e-16) + qo1 * std::log(qo1 + 1e-16));
  CHECK(std::abs(policy_value(m, log_c, qs, stay) - wrong) > 1e-10);
}

TEST_CASE("policies, q(pi), P(a) and action choice follow pymdp's conventions") {
  const std::vector<std::size_t> p = enumerate_policies(3, 2);
  CHECK(p == std::vector<std::size_t>{0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 2, 2, 0, 2, 1, 2, 2});
  const std::vector<double> G = {1.0, 0.5, 1.0, -1.0};
  const std::vector<double> q = policy_posterior(G, 2.0);
  const double z = std::exp(2.0) * 2 + std::exp(1.0) + std::exp(-2.0);
  CHECK(q[0] == doctest::Approx(std::exp(2.0) / z).epsilon(1e-14));
  CHECK(q[3] == doctest::Approx(std::exp(-2.0) / z).epsilon(1e-14));
  const std::vector<double> P = action_marginal(q, 2, 2);  // 2 actions, L = 2
  CHECK(P[0] == doctest::Approx(q[0] + q[1]).epsilon(1e-14));
  CHECK(P[1] == doctest::Approx(q[2] + q[3]).epsilon(1e-14));
  // Deterministic ties go to the lowest index.
  CHECK(choose_action(std::vector<double>{0.4, 0.4, 0.2}, true, 16, 0.99) == 0);
  // Stochastic: softmax(alpha ln P) with alpha = 1 is P itself.
  const std::vector<double> P3 = {0.2, 0.5, 0.3};
  CHECK(choose_action(P3, false, 1.0, 0.1) == 0);
  CHECK(choose_action(P3, false, 1.0, 0.69) == 1);
  CHECK(choose_action(P3, false, 1.0, 0.71) == 2);
}
