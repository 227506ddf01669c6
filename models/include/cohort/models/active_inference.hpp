#pragma once
// Discrete active inference on Eigen arrays, with pymdp's formulas and epsilons: the public API
// for programs (and, through the Python module, numpy users) that think in arrays. The
// belief_agents model's hot path computes the same quantities on sparse beliefs with its own
// kernels (faster there: most states have zero mass); tests hold the three to one another.

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

namespace cohort::active_inference {

/// A generative model: likelihood, transitions per action, preferences.
struct GenerativeModel {
  Eigen::MatrixXd A;  ///< P(o | s), shape (O, S); each column sums to 1
  std::vector<Eigen::MatrixXd>
      B;              ///< P(s' | s, a) for each action a, shape (S, S); columns sum to 1
  Eigen::VectorXd C;  ///< preferences over observations, length O (soft-maxed inside)

  Eigen::Index states() const { return A.cols(); }
  Eigen::Index observations() const { return A.rows(); }
  Eigen::Index actions() const { return static_cast<Eigen::Index>(B.size()); }
  /// Throws std::invalid_argument naming the first shape that does not fit A (B[a] not S x S, C
  /// not of length O, no actions).
  void check() const;
};

/// B[action] qs: the state distribution after `action`.
Eigen::VectorXd predict_states(const GenerativeModel& m, const Eigen::VectorXd& qs,
                               Eigen::Index action);
/// Posterior over states after `observation`: softmax(ln(A[o, :] + 1e-16) + ln(prior + 1e-16)).
Eigen::VectorXd infer_states(const GenerativeModel& m, const Eigen::VectorXd& prior,
                             Eigen::Index observation);
/// ln(softmax(C) + 1e-16): the log preferences of the utility term.
Eigen::VectorXd log_preferences(const Eigen::VectorXd& C);
/// Expected free energy (higher is better) of a sequence of actions from `qs`: utility plus
/// state information gain, summed over the steps.
double policy_value(const GenerativeModel& m, const Eigen::VectorXd& qs,
                    std::span<const Eigen::Index> policy);
/// Every policy of `length` actions, one per row; row k holds k's digits in base U, most
/// significant first.
Eigen::MatrixXi enumerate_policies(Eigen::Index actions, Eigen::Index length);
/// G of every policy of `length` actions, in enumerate_policies order.
Eigen::VectorXd evaluate_policies(const GenerativeModel& m, const Eigen::VectorXd& qs,
                                  Eigen::Index length);
/// q(pi) = softmax(gamma G + ln E), E uniform.
Eigen::VectorXd policy_posterior(const Eigen::VectorXd& G, double gamma);
/// P(a): q(pi) summed by each policy's first action, normalised.
Eigen::VectorXd action_marginal(const Eigen::VectorXd& q_pi, Eigen::Index actions,
                                Eigen::Index length);

}  // namespace cohort::active_inference
