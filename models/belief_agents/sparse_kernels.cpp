#include "sparse_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "active_inference.hpp"

namespace cohort::models::belief {

void Workspace::fit(std::size_t states, std::size_t depth) {
  (void)states;  // the kernels' buffers grow with the supports they meet
  if (horizon.size() < depth) horizon.resize(depth);
}

Workspace& thread_workspace() {
  thread_local Workspace ws;
  return ws;
}

namespace {

// Calls fn(cell, value) for every cell of B_a in, in increasing cell order. Every target of one
// action is source + a fixed offset, so the moved mass is already sorted: it is merged with the
// mass that stays. A cell gets at most two terms (its own stay and one neighbour's move), so the
// order of the sums cannot change a result.
template <class Fn>
void for_each_predicted(const GridWorld& w, const SparseVec& in, std::size_t action, Workspace& ws,
                        Fn&& fn) {
  const std::size_t n = in.size();
  if (ws.touched_list.size() < n) {
    ws.touched_list.resize(n);
    ws.moved.resize(n);
    ws.stay.resize(n);
  }
  std::uint32_t* moved_index = ws.touched_list.data();
  double* moved_value = ws.moved.data();
  double* stay_value = ws.stay.data();
  std::size_t moves = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const Transition& t = w.transition(in.index[k], action);
    const double v = in.value[k];
    stay_value[k] = v * (1.0 - t.move);
    moved_index[moves] = t.target;
    moved_value[moves] = v * t.move;
    moves += t.move > 0 ? 1 : 0;
  }
  std::size_t i = 0, j = 0;
  while (i < n && j < moves) {
    const std::uint32_t si = in.index[i], sj = moved_index[j];
    if (si < sj) {
      fn(si, stay_value[i++]);
    } else if (sj < si) {
      fn(sj, moved_value[j++]);
    } else {
      fn(si, stay_value[i++] + moved_value[j++]);
    }
  }
  for (; i < n; ++i)
    fn(in.index[i], stay_value[i]);
  for (; j < moves; ++j)
    fn(moved_index[j], moved_value[j]);
}

}  // namespace

void predict(const GridWorld& w, const SparseVec& in, std::size_t action, Workspace& ws,
             SparseVec& out) {
  const std::size_t most = 2 * in.size();
  out.index.resize(most);
  out.value.resize(most);
  std::uint32_t* index = out.index.data();
  double* value = out.value.data();
  std::size_t n = 0;
  for_each_predicted(w, in, action, ws, [&](std::uint32_t s, double v) {
    index[n] = s;
    value[n] = v;
    ++n;
  });
  out.index.resize(n);
  out.value.resize(n);
}

void initial_prior(const GridWorld& w, std::uint32_t start, double start_mass, SparseVec& out) {
  const std::size_t S = w.states();
  out.clear();
  const double rest = S > 1 ? (1.0 - start_mass) / static_cast<double>(S - 1) : 0.0;
  for (std::size_t s = 0; s < S; ++s) {
    const double v = s == start ? (S > 1 ? start_mass : 1.0) : rest;
    if (v <= 0) continue;
    out.index.push_back(static_cast<std::uint32_t>(s));
    out.value.push_back(v);
  }
}

void update(const GridWorld& w, const SparseVec& prior, std::size_t observation, SparseVec& out) {
  const std::size_t n = prior.size();
  out.index.assign(prior.index.begin(), prior.index.end());
  out.value.resize(n);
  double on_support = 0, likelihood_on_support = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const double a = w.likelihood(observation, prior.index[k]);
    // exp(ln(a + eps) + ln(p + eps)) = (a + eps)(p + eps)
    const double v = (a + kLogEps) * (prior.value[k] + kLogEps);
    out.value[k] = v;
    on_support += v;
    likelihood_on_support += a;
  }
  const double off_states = static_cast<double>(w.states() - n);
  const double off =
      kLogEps * (w.column_sum(observation) - likelihood_on_support + kLogEps * off_states);
  const double z = on_support + std::max(off, 0.0);
  for (double& v : out.value)
    v /= z;
}

void prune(SparseVec& v, double epsilon) {
  std::size_t keep = 0, top = 0;
  double sum = 0;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v.value[k] > v.value[top]) top = k;
    if (v.value[k] < epsilon) continue;
    v.index[keep] = v.index[k];
    v.value[keep] = v.value[k];
    sum += v.value[k];
    ++keep;
  }
  if (keep == 0 && !v.index.empty()) {  // everything under epsilon: keep the mode
    v.index[0] = v.index[top];
    v.value[0] = v.value[top];
    sum = v.value[0];
    keep = 1;
  }
  v.index.resize(keep);
  v.value.resize(keep);
  for (double& x : v.value)
    x /= sum;
}

namespace {

// States at or below this are left out of the information gain (pymdp's cut).
const double kStateCut = std::exp(-16.0);

// Sums of a predicted belief by cell type, over all states and over those above the cut.
struct TypeMass {
  static constexpr std::size_t kMaxLevels = 16;
  double mass[kMaxLevels] = {}, cut_mass[kMaxLevels] = {};
  double total = 0, cut_total = 0;

  void add(const GridWorld& w, std::uint32_t s, double v) {
    const std::uint8_t t = w.type(s);
    mass[t] += v;
    total += v;
    if (v > kStateCut) {
      cut_mass[t] += v;
      cut_total += v;
    }
  }

  double value(const GridWorld& w, std::span<const double> log_c) const {
    double utility = 0, entropy = 0;
    for (std::size_t o = 0; o < w.levels(); ++o) {
      // A qs by type: hit on states of type o, miss on the rest.
      const double qo = w.hit() * mass[o] + w.miss() * (total - mass[o]);
      const double qt = w.hit() * cut_mass[o] + w.miss() * (cut_total - cut_mass[o]);
      utility += qo * log_c[o];
      entropy += qt * std::log(qt + kLogEps);
    }
    return utility + w.negative_ambiguity() * cut_total - entropy;
  }
};

}  // namespace

double step_value(const GridWorld& w, std::span<const double> log_c, const SparseVec& qs) {
  TypeMass m;
  for (std::size_t k = 0; k < qs.size(); ++k)
    m.add(w, qs.index[k], qs.value[k]);
  return m.value(w, log_c);
}

namespace {

// Depth-first over the policy tree: `base` is G accumulated along the prefix `code`.
void descend(const GridWorld& w, std::span<const double> log_c, const SparseVec& qs,
             std::size_t depth, std::size_t length, std::size_t code, double base, Workspace& ws) {
  for (std::size_t a = 0; a < kActions; ++a) {
    const std::size_t child = code * kActions + a;
    if (depth + 1 == length) {
      // A leaf needs only the type sums of its prediction: no vector is built.
      TypeMass m;
      if (a == kStay) {  // B_stay is the identity: the same sums without the merge
        for (std::size_t k = 0; k < qs.size(); ++k)
          m.add(w, qs.index[k], qs.value[k]);
      } else {
        for_each_predicted(w, qs, a, ws, [&](std::uint32_t s, double v) { m.add(w, s, v); });
      }
      ws.values[child] = base + m.value(w, log_c);
      continue;
    }
    SparseVec& next = ws.horizon[depth];
    predict(w, qs, a, ws, next);
    descend(w, log_c, next, depth + 1, length, child, base + step_value(w, log_c, next), ws);
  }
}

}  // namespace

void evaluate_policies(const GridWorld& w, std::span<const double> log_c, const SparseVec& qs,
                       std::size_t length, Workspace& ws) {
  std::size_t count = 1;
  for (std::size_t t = 0; t < length; ++t)
    count *= kActions;
  ws.values.assign(count, 0.0);
  ws.fit(w.states(), length);
  descend(w, log_c, qs, 0, length, 0, 0.0, ws);
}

}  // namespace cohort::models::belief
