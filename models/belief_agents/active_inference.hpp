#pragma once
// Discrete active inference on dense arrays, following pymdp's conventions, so other programs can
// check cohort's numbers against other implementations. The model's hot path (sparse_kernels.hpp)
// computes the same quantities on sparse beliefs and is tested against these functions.
//
// Layouts (numpy C order): A has shape (O, S), A[o * S + s]; B has shape (S, S, U),
// B[(s_next * S + s) * U + a], column-stochastic in s_next.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cohort::models::belief {

/// The log epsilon pymdp adds before every log of a probability.
inline constexpr double kLogEps = 1e-16;

/// A dense generative model: sizes and borrowed arrays.
struct DenseModel {
  std::size_t states = 0;        ///< S
  std::size_t observations = 0;  ///< O
  std::size_t actions = 0;       ///< U
  std::span<const double> A;     ///< (O, S)
  std::span<const double> B;     ///< (S, S, U)
};

/// out = B[:, :, a] qs.
void predict_states(const DenseModel& m, std::span<const double> qs, std::size_t action,
                    std::span<double> out);
/// Posterior over states: softmax(ln(A[o, :] + 1e-16) + ln(prior + 1e-16)), where `prior` is
/// B_{a_prev} qs_prev (or D at the first step).
void infer_states(const DenseModel& m, std::span<const double> prior, std::size_t observation,
                  std::span<double> qs);
/// ln(softmax(C) + 1e-16): the log preferences the utility term uses.
std::vector<double> log_preferences(std::span<const double> C);
/// Expected free energy (higher is better) of one policy (a sequence of actions) from `qs`:
/// sum over steps of utility and state information gain, pymdp's exact epsilons included.
double policy_value(const DenseModel& m, std::span<const double> log_c, std::span<const double> qs,
                    std::span<const std::size_t> policy);
/// Every policy of `length` actions, first action most significant: policy k's step t action is
/// digit t of k in base U, most significant first.
std::vector<std::size_t> enumerate_policies(std::size_t actions, std::size_t length);
/// G of every policy in enumerate_policies order.
std::vector<double> evaluate_policies(const DenseModel& m, std::span<const double> log_c,
                                      std::span<const double> qs, std::size_t length);
/// q(pi) = softmax(gamma G + ln E), E uniform.
std::vector<double> policy_posterior(std::span<const double> G, double gamma);
/// P(a): q(pi) summed by first action, normalised. `length` is the policy length.
std::vector<double> action_marginal(std::span<const double> q_pi, std::size_t actions,
                                    std::size_t length);
/// Allocation-free forms of the two above for the hot path; `out` has G.size() / `actions` items.
void policy_posterior(std::span<const double> G, double gamma, std::span<double> out);
void action_marginal(std::span<const double> q_pi, std::size_t actions, std::size_t length,
                     std::span<double> out);
/// Deterministic: argmax of P (lowest index on ties). Stochastic: a sample of
/// softmax(alpha ln P) using `uniform` in [0, 1).
/// At most 16 actions.
std::size_t choose_action(std::span<const double> P, bool deterministic, double alpha,
                          double uniform);

}  // namespace cohort::models::belief
