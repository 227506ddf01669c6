// The public Eigen API (cohort/models/active_inference.hpp) against the span functions the model
// is tested with, on random models, and its shape checks.
#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "belief_agents/active_inference.hpp"
#include "cohort/models/active_inference.hpp"

namespace ai = cohort::active_inference;
namespace belief = cohort::models::belief;

namespace {

// A random model of S states, O observations, U actions, with stochastic columns and, in the
// span layout, A[o * S + s] and B[(s_next * S + s) * U + a].
struct RandomModel {
  ai::GenerativeModel eigen;
  std::vector<double> A, B;
  belief::DenseModel dense() const {
    return {static_cast<std::size_t>(eigen.states()),
            static_cast<std::size_t>(eigen.observations()),
            static_cast<std::size_t>(eigen.actions()), A, B};
  }
};

RandomModel random_model(Eigen::Index S, Eigen::Index O, Eigen::Index U, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto stochastic = [&](Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index c = 0; c < cols; ++c) {
      for (Eigen::Index r = 0; r < rows; ++r)
        m(r, c) = u(rng) < 0.3 ? 0.0 : u(rng);  // some exact zeros, as in real models
      m(0, c) += 1e-3;
      m.col(c) /= m.col(c).sum();
    }
    return m;
  };
  RandomModel r;
  r.eigen.A = stochastic(O, S);
  for (Eigen::Index a = 0; a < U; ++a)
    r.eigen.B.push_back(stochastic(S, S));
  r.eigen.C = Eigen::VectorXd::NullaryExpr(O, [&] { return 4 * u(rng) - 2; });
  r.A.resize(static_cast<std::size_t>(O * S));
  for (Eigen::Index o = 0; o < O; ++o)
    for (Eigen::Index s = 0; s < S; ++s)
      r.A[static_cast<std::size_t>(o * S + s)] = r.eigen.A(o, s);
  r.B.resize(static_cast<std::size_t>(S * S * U));
  for (Eigen::Index n = 0; n < S; ++n)
    for (Eigen::Index s = 0; s < S; ++s)
      for (Eigen::Index a = 0; a < U; ++a)
        r.B[static_cast<std::size_t>((n * S + s) * U + a)] =
            r.eigen.B[static_cast<std::size_t>(a)](n, s);
  return r;
}

std::vector<double> as_vector(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

}  // namespace

TEST_CASE("the Eigen API gives the span API's beliefs, G, q(pi) and P(a) on random models") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    const RandomModel r = random_model(6, 4, 3, seed);
    const belief::DenseModel dense = r.dense();
    Eigen::VectorXd prior(6);
    for (Eigen::Index s = 0; s < 6; ++s)
      prior(s) = 1.0 + static_cast<double>((s * static_cast<Eigen::Index>(seed)) % 5);
    prior /= prior.sum();

    const Eigen::VectorXd qs = ai::infer_states(r.eigen, prior, 2);
    std::vector<double> qs_span(6);
    belief::infer_states(dense, as_vector(prior), 2, qs_span);
    for (Eigen::Index s = 0; s < 6; ++s)
      CHECK(qs(s) == doctest::Approx(qs_span[static_cast<std::size_t>(s)]).epsilon(1e-12));

    const Eigen::VectorXd G = ai::evaluate_policies(r.eigen, qs, 2);
    const std::vector<double> log_c = belief::log_preferences(as_vector(r.eigen.C));
    const std::vector<double> G_span = belief::evaluate_policies(dense, log_c, qs_span, 2);
    REQUIRE(G.size() == 9);
    for (Eigen::Index k = 0; k < 9; ++k)
      CHECK(G(k) == doctest::Approx(G_span[static_cast<std::size_t>(k)]).epsilon(1e-12));

    const Eigen::VectorXd q_pi = ai::policy_posterior(G, 16.0);
    const std::vector<double> q_pi_span = belief::policy_posterior(G_span, 16.0);
    const Eigen::VectorXd P = ai::action_marginal(q_pi, 3, 2);
    const std::vector<double> P_span = belief::action_marginal(q_pi_span, 3, 2);
    for (Eigen::Index a = 0; a < 3; ++a)
      CHECK(P(a) == doctest::Approx(P_span[static_cast<std::size_t>(a)]).epsilon(1e-10));
    CHECK(P.sum() == doctest::Approx(1.0).epsilon(1e-15));
  }
}

TEST_CASE("policies are enumerated first action most significant") {
  const Eigen::MatrixXi p = ai::enumerate_policies(3, 2);
  REQUIRE(p.rows() == 9);
  CHECK(p(0, 0) == 0);
  CHECK(p(0, 1) == 0);
  CHECK(p(5, 0) == 1);
  CHECK(p(5, 1) == 2);
  CHECK(p(8, 0) == 2);
  CHECK(p(8, 1) == 2);
}

TEST_CASE("a generative model whose shapes do not fit A is refused naming the mismatch") {
  RandomModel r = random_model(4, 3, 2, 7);
  r.eigen.B[1] = Eigen::MatrixXd::Identity(3, 3);
  try {
    r.eigen.check();
    FAIL("check() accepted a 3 x 3 B[1] for 4 states");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "B[1] is 3 x 3; A has 4 states, so it must be 4 x 4");
  }
  r = random_model(4, 3, 2, 7);
  r.eigen.C = Eigen::VectorXd::Zero(5);
  CHECK_THROWS_WITH_AS(r.eigen.check(), "C has 5 entries; A has 3 observations",
                       std::invalid_argument);
}
