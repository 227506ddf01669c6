// The Eigen form of the dense active-inference API (cohort/models/active_inference.hpp). Same
// formulas and epsilons as active_inference.cpp, written as array expressions.
#include "cohort/models/active_inference.hpp"

#include <stdexcept>
#include <string>

namespace cohort::active_inference {

namespace {

constexpr double kLogEps = 1e-16;  // pymdp's epsilon inside every log of a probability

Eigen::VectorXd softmax(const Eigen::VectorXd& x) {
  const Eigen::ArrayXd e = (x.array() - x.maxCoeff()).exp();
  return (e / e.sum()).matrix();
}

std::string shape(const Eigen::MatrixXd& m) {
  return std::to_string(m.rows()) + " x " + std::to_string(m.cols());
}

}  // namespace

void GenerativeModel::check() const {
  if (B.empty()) throw std::invalid_argument("the generative model has no actions (B is empty)");
  for (std::size_t a = 0; a < B.size(); ++a)
    if (B[a].rows() != states() || B[a].cols() != states())
      throw std::invalid_argument("B[" + std::to_string(a) + "] is " + shape(B[a]) + "; A has " +
                                  std::to_string(states()) + " states, so it must be " +
                                  std::to_string(states()) + " x " + std::to_string(states()));
  if (C.size() != observations())
    throw std::invalid_argument("C has " + std::to_string(C.size()) + " entries; A has " +
                                std::to_string(observations()) + " observations");
}

Eigen::VectorXd predict_states(const GenerativeModel& m, const Eigen::VectorXd& qs,
                               Eigen::Index action) {
  return m.B.at(static_cast<std::size_t>(action)) * qs;
}

Eigen::VectorXd infer_states(const GenerativeModel& m, const Eigen::VectorXd& prior,
                             Eigen::Index observation) {
  const Eigen::ArrayXd likelihood = m.A.row(observation).transpose().array();
  return softmax(((likelihood + kLogEps).log() + (prior.array() + kLogEps).log()).matrix());
}

Eigen::VectorXd log_preferences(const Eigen::VectorXd& C) {
  return (softmax(C).array() + kLogEps).log().matrix();
}

double policy_value(const GenerativeModel& m, const Eigen::VectorXd& qs,
                    std::span<const Eigen::Index> policy) {
  // States with less mass than e^-16 are left out of the information gain (pymdp's cut).
  const double cut = std::exp(-16.0);
  const Eigen::VectorXd log_c = log_preferences(m.C);
  // H(s) = sum_o A(o, s) ln(A(o, s) + cut): minus the observation entropy of each state.
  const Eigen::RowVectorXd H = (m.A.array() * (m.A.array() + cut).log()).colwise().sum();
  Eigen::VectorXd cur = qs;
  double G = 0;
  for (const Eigen::Index a : policy) {
    cur = predict_states(m, cur, a);
    G += (m.A * cur).dot(log_c);  // utility
    const Eigen::VectorXd kept = (cur.array() > cut).select(cur, 0.0);
    const Eigen::VectorXd qo = m.A * kept;
    G += H.dot(kept) - qo.dot((qo.array() + kLogEps).log().matrix());  // information gain
  }
  return G;
}

Eigen::MatrixXi enumerate_policies(Eigen::Index actions, Eigen::Index length) {
  Eigen::Index count = 1;
  for (Eigen::Index t = 0; t < length; ++t)
    count *= actions;
  Eigen::MatrixXi out(count, length);
  for (Eigen::Index k = 0; k < count; ++k) {
    Eigen::Index rest = k;
    for (Eigen::Index t = length; t-- > 0;) {
      out(k, t) = static_cast<int>(rest % actions);
      rest /= actions;
    }
  }
  return out;
}

Eigen::VectorXd evaluate_policies(const GenerativeModel& m, const Eigen::VectorXd& qs,
                                  Eigen::Index length) {
  m.check();
  const Eigen::MatrixXi policies = enumerate_policies(m.actions(), length);
  Eigen::VectorXd G(policies.rows());
  std::vector<Eigen::Index> policy(static_cast<std::size_t>(length));
  for (Eigen::Index k = 0; k < policies.rows(); ++k) {
    for (Eigen::Index t = 0; t < length; ++t)
      policy[static_cast<std::size_t>(t)] = policies(k, t);
    G(k) = policy_value(m, qs, policy);
  }
  return G;
}

Eigen::VectorXd policy_posterior(const Eigen::VectorXd& G, double gamma) {
  // ln E is one constant for every policy: it cancels in the softmax, kept for parity with pymdp.
  const double log_e = -std::log(static_cast<double>(G.size()));
  return softmax((gamma * G.array() + log_e).matrix());
}

Eigen::VectorXd action_marginal(const Eigen::VectorXd& q_pi, Eigen::Index actions,
                                Eigen::Index length) {
  Eigen::Index per_first = 1;
  for (Eigen::Index t = 1; t < length; ++t)
    per_first *= actions;
  Eigen::VectorXd P = Eigen::VectorXd::Zero(actions);
  for (Eigen::Index k = 0; k < q_pi.size(); ++k)
    P(k / per_first) += q_pi(k);
  return P / P.sum();
}

}  // namespace cohort::active_inference
