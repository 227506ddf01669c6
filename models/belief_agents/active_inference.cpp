#include "active_inference.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace cohort::models::belief {

namespace {

// States with qs below this are left out of the information gain (pymdp's cut).
const double kStateCut = std::exp(-16.0);

void softmax_in_place(std::span<double> x) {
  const double top = *std::max_element(x.begin(), x.end());
  double sum = 0;
  for (double& v : x)
    sum += (v = std::exp(v - top));
  for (double& v : x)
    v /= sum;
}

}  // namespace

void predict_states(const DenseModel& m, std::span<const double> qs, std::size_t action,
                    std::span<double> out) {
  const std::size_t S = m.states, U = m.actions;
  for (std::size_t sn = 0; sn < S; ++sn) {
    double acc = 0;
    for (std::size_t s = 0; s < S; ++s)
      acc += m.B[(sn * S + s) * U + action] * qs[s];
    out[sn] = acc;
  }
}

void infer_states(const DenseModel& m, std::span<const double> prior, std::size_t observation,
                  std::span<double> qs) {
  const std::size_t S = m.states;
  for (std::size_t s = 0; s < S; ++s)
    qs[s] = std::log(m.A[observation * S + s] + kLogEps) + std::log(prior[s] + kLogEps);
  softmax_in_place(qs.first(S));
}

std::vector<double> log_preferences(std::span<const double> C) {
  std::vector<double> p(C.begin(), C.end());
  softmax_in_place(p);
  for (double& v : p)
    v = std::log(v + kLogEps);
  return p;
}

double policy_value(const DenseModel& m, std::span<const double> log_c, std::span<const double> qs,
                    std::span<const std::size_t> policy) {
  const std::size_t S = m.states, O = m.observations;
  std::vector<double> cur(qs.begin(), qs.end()), next(S), qo(O), qt(O);
  double G = 0;
  for (const std::size_t a : policy) {
    predict_states(m, cur, a, next);
    std::swap(cur, next);
    // Utility: expected log preference of the predicted observations (all states).
    std::fill(qo.begin(), qo.end(), 0.0);
    for (std::size_t o = 0; o < O; ++o)
      for (std::size_t s = 0; s < S; ++s)
        qo[o] += m.A[o * S + s] * cur[s];
    for (std::size_t o = 0; o < O; ++o)
      G += qo[o] * log_c[o];
    // State information gain over the states above the cut only.
    std::fill(qt.begin(), qt.end(), 0.0);
    double ambiguity = 0;
    for (std::size_t s = 0; s < S; ++s) {
      if (!(cur[s] > kStateCut)) continue;
      double h = 0;
      for (std::size_t o = 0; o < O; ++o) {
        const double a_os = m.A[o * S + s];
        h += a_os * std::log(a_os + kStateCut);
        qt[o] += cur[s] * a_os;
      }
      ambiguity += cur[s] * h;
    }
    double entropy = 0;
    for (std::size_t o = 0; o < O; ++o)
      entropy += qt[o] * std::log(qt[o] + kLogEps);
    G += ambiguity - entropy;
  }
  return G;
}

std::vector<std::size_t> enumerate_policies(std::size_t actions, std::size_t length) {
  std::size_t count = 1;
  for (std::size_t t = 0; t < length; ++t)
    count *= actions;
  std::vector<std::size_t> out(count * length);
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t rest = k;
    for (std::size_t t = length; t-- > 0;) {
      out[k * length + t] = rest % actions;
      rest /= actions;
    }
  }
  return out;
}

std::vector<double> evaluate_policies(const DenseModel& m, std::span<const double> log_c,
                                      std::span<const double> qs, std::size_t length) {
  const std::vector<std::size_t> policies = enumerate_policies(m.actions, length);
  const std::size_t count = policies.size() / length;
  std::vector<double> G(count);
  for (std::size_t k = 0; k < count; ++k)
    G[k] = policy_value(m, log_c, qs, std::span(policies).subspan(k * length, length));
  return G;
}

void policy_posterior(std::span<const double> G, double gamma, std::span<double> out) {
  // ln E is the same constant for every policy: it cancels in the softmax but is kept for parity.
  const double log_e = -std::log(static_cast<double>(G.size()));
  for (std::size_t k = 0; k < G.size(); ++k)
    out[k] = gamma * G[k] + log_e;
  softmax_in_place(out.first(G.size()));
}

std::vector<double> policy_posterior(std::span<const double> G, double gamma) {
  std::vector<double> q(G.size());
  policy_posterior(G, gamma, q);
  return q;
}

void action_marginal(std::span<const double> q_pi, std::size_t actions, std::size_t length,
                     std::span<double> out) {
  std::size_t per_first = 1;
  for (std::size_t t = 1; t < length; ++t)
    per_first *= actions;
  std::fill_n(out.begin(), actions, 0.0);
  for (std::size_t k = 0; k < q_pi.size(); ++k)
    out[k / per_first] += q_pi[k];
  double sum = 0;
  for (std::size_t a = 0; a < actions; ++a)
    sum += out[a];
  for (std::size_t a = 0; a < actions; ++a)
    out[a] /= sum;
}

std::vector<double> action_marginal(std::span<const double> q_pi, std::size_t actions,
                                    std::size_t length) {
  std::vector<double> P(actions);
  action_marginal(q_pi, actions, length, P);
  return P;
}

std::size_t choose_action(std::span<const double> P, bool deterministic, double alpha,
                          double uniform) {
  if (deterministic)
    return static_cast<std::size_t>(std::max_element(P.begin(), P.end()) - P.begin());
  std::array<double, 16> buffer{};
  const std::span<double> w(buffer.data(), std::min<std::size_t>(P.size(), buffer.size()));
  for (std::size_t a = 0; a < w.size(); ++a)
    w[a] = alpha * std::log(P[a] + kLogEps);
  softmax_in_place(w);
  double acc = 0;
  for (std::size_t a = 0; a + 1 < w.size(); ++a)
    if (uniform < (acc += w[a])) return a;
  return w.size() - 1;
}

}  // namespace cohort::models::belief
