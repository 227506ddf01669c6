#pragma once
// The per-agent inference step on sparse beliefs over a GridWorld: the same mathematics as
// active_inference.hpp (tested equal to 1e-12), in time proportional to the belief's support.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "grid_world.hpp"

namespace cohort::models::belief {

/// A belief as sorted (state, probability) pairs in scratch memory.
struct SparseVec {
  std::vector<std::uint32_t> index;
  std::vector<double> value;
  std::size_t size() const { return index.size(); }
  void clear() {
    index.clear();
    value.clear();
  }
};

/// Per-thread scratch of the kernels; reused across agents so the hot path never allocates once
/// warm.
struct Workspace {
  std::vector<std::uint32_t> touched_list;
  std::vector<double> moved, stay;
  SparseVec prior, posterior, scratch;
  SparseVec reclaim;  ///< for reclaimers, which run inside a step
  std::vector<double> policy_posterior;
  std::vector<SparseVec> horizon;  ///< predicted beliefs at each policy depth
  std::vector<double> values;      ///< G per policy
  void fit(std::size_t states, std::size_t depth);
};

/// The same workspace for every call on this thread.
Workspace& thread_workspace();

/// out = B_a in (support grows by at most one neighbour per entry).
void predict(const GridWorld& w, const SparseVec& in, std::size_t action, Workspace& ws,
             SparseVec& out);
/// D as a sparse vector: `start_mass` on `start`, the rest spread evenly over the other cells.
void initial_prior(const GridWorld& w, std::uint32_t start, double start_mass, SparseVec& out);
/// Posterior softmax(ln(A[o,:] + 1e-16) + ln(prior + 1e-16)) restricted to the prior's support;
/// states off the support (prior 0) are counted exactly in the normaliser and then dropped (their
/// posterior is below 1e-16).
void update(const GridWorld& w, const SparseVec& prior, std::size_t observation, SparseVec& out);
/// Drops values below `epsilon` and renormalises the rest (keeps the largest if all would go).
void prune(SparseVec& v, double epsilon);
/// G of one step from `qs` (utility + state information gain), pymdp's epsilons.
double step_value(const GridWorld& w, std::span<const double> log_c, const SparseVec& qs);
/// G of every policy of `length` steps (first action most significant) into ws.values; prefixes
/// are shared, so L = 3 costs 155 step evaluations rather than 375.
void evaluate_policies(const GridWorld& w, std::span<const double> log_c, const SparseVec& qs,
                       std::size_t length, Workspace& ws);

}  // namespace cohort::models::belief
