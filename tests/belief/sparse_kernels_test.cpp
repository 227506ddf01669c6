// The sparse per-agent kernels against the dense reference functions on small grids.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "belief_agents/active_inference.hpp"
#include "belief_agents/sparse_kernels.hpp"

using namespace cohort::models::belief;

namespace {

GridWorld small_grid(bool with_obstacle) {
  GridSpec spec;
  spec.width = 4;
  spec.height = 3;
  spec.types = {0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 3, 2};
  if (with_obstacle) spec.blocked = {2};
  return GridWorld(spec);
}

SparseVec random_sparse(std::mt19937_64& gen, std::size_t states) {
  SparseVec v;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double sum = 0;
  for (std::size_t s = 0; s < states; ++s)
    if (u(gen) < 0.5) {
      v.index.push_back(static_cast<std::uint32_t>(s));
      v.value.push_back(u(gen) + 1e-3);
      sum += v.value.back();
    }
  if (v.index.empty()) {
    v.index.push_back(0);
    v.value.push_back(1.0);
    sum = 1;
  }
  for (double& x : v.value)
    x /= sum;
  return v;
}

std::vector<double> to_dense(const SparseVec& v, std::size_t states) {
  std::vector<double> d(states, 0.0);
  for (std::size_t k = 0; k < v.size(); ++k)
    d[v.index[k]] = v.value[k];
  return d;
}

}  // namespace

TEST_CASE("sparse predict, update and G equal the dense reference to 1e-12") {
  for (const bool obstacle : {false, true}) {
    const GridWorld w = small_grid(obstacle);
    const std::size_t S = w.states();
    const std::vector<double> A = w.dense_a(), B = w.dense_b();
    const DenseModel m{S, w.levels(), kActions, A, B};
    const std::vector<double> log_c = log_preferences(std::vector<double>{0, 0.5, -1, 2});
    std::mt19937_64 gen(obstacle ? 7 : 3);
    Workspace ws;
    for (int trial = 0; trial < 50; ++trial) {
      const SparseVec qs = random_sparse(gen, S);
      const std::vector<double> dense = to_dense(qs, S);
      for (std::size_t a = 0; a < kActions; ++a) {
        SparseVec p;
        predict(w, qs, a, ws, p);
        std::vector<double> ref(S);
        predict_states(m, dense, a, ref);
        const std::vector<double> got = to_dense(p, S);
        for (std::size_t s = 0; s < S; ++s)
          CHECK(got[s] == doctest::Approx(ref[s]).epsilon(1e-14));
        for (std::size_t o = 0; o < w.levels(); ++o) {
          SparseVec post;
          update(w, p, o, post);
          std::vector<double> ref_post(S);
          infer_states(m, ref, o, ref_post);
          const std::vector<double> got_post = to_dense(post, S);
          for (std::size_t s = 0; s < S; ++s)
            CHECK(std::abs(got_post[s] - ref_post[s]) < 1e-12);
        }
      }
      for (const std::size_t L : {1u, 2u, 3u}) {
        evaluate_policies(w, log_c, qs, L, ws);
        const std::vector<double> ref = evaluate_policies(m, log_c, dense, L);
        REQUIRE(ws.values.size() == ref.size());
        for (std::size_t k = 0; k < ref.size(); ++k)
          CHECK(std::abs(ws.values[k] - ref[k]) < 1e-12);
      }
    }
  }
}

TEST_CASE("the first update from D matches the dense reference") {
  const GridWorld w = small_grid(false);
  const std::size_t S = w.states();
  const std::vector<double> A = w.dense_a(), B = w.dense_b();
  const DenseModel m{S, w.levels(), kActions, A, B};
  SparseVec d, post;
  initial_prior(w, 5, 0.9, d);
  const std::vector<double> dense = to_dense(d, S);
  CHECK(dense[5] == 0.9);
  CHECK(dense[0] == doctest::Approx(0.1 / 11));
  update(w, d, 2, post);
  std::vector<double> ref(S);
  infer_states(m, dense, 2, ref);
  const std::vector<double> got = to_dense(post, S);
  for (std::size_t s = 0; s < S; ++s)
    CHECK(std::abs(got[s] - ref[s]) < 1e-14);
}

TEST_CASE("prune drops values below epsilon and renormalises the rest") {
  SparseVec v;
  v.index = {1, 4, 7, 9};
  v.value = {0.5, 1e-13, 0.3, 0.2 - 1e-13};
  prune(v, 1e-12);
  CHECK(v.index == std::vector<std::uint32_t>{1, 7, 9});
  double sum = 0;
  for (double x : v.value)
    sum += x;
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(v.value[0] == doctest::Approx(0.5 / (1 - 1e-13)));
  // Everything under epsilon: the mode is kept as a point mass.
  SparseVec u;
  u.index = {2, 3};
  u.value = {0.4, 0.6};
  prune(u, 0.9);
  CHECK(u.index == std::vector<std::uint32_t>{3});
  CHECK(u.value == std::vector<double>{1.0});
}
