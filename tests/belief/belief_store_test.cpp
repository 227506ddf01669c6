// Pooled belief storage: representation switching, size bound and round trips.
#include <doctest/doctest.h>

#include <algorithm>

#include "belief_agents/belief_store.hpp"
#include "cohort/memory/accountant.hpp"

using namespace cohort::models::belief;
namespace mem = cohort::memory;

TEST_CASE("beliefs switch sparse to dense and never take more than the dense vector") {
  for (const std::size_t S : {2u, 3u, 10u, 100u, 1000u}) {
    CAPTURE(S);
    mem::Accountant acc(mem::AccountantOptions{1});
    const mem::TagId tag = acc.tags().intern("beliefs");
    auto& pop = acc.add_population("explorers", mem::BudgetLimits::unlimited());
    const mem::AgentRow row = pop.add_agent();
    mem::ChargeContext& ctx = acc.context(0);
    const BeliefStore store{tag, S};
    BeliefRef ref;
    SparseVec v, back;
    bool saw_sparse = false, saw_dense = false;
    for (std::size_t nnz = 1; nnz <= S;
         nnz = nnz == S ? S + 1 : std::min(S, nnz < 8 ? nnz + 1 : nnz * 2 - 3)) {
      v.clear();
      for (std::size_t k = 0; k < nnz; ++k) {
        v.index.push_back(static_cast<std::uint32_t>(k * S / nnz));
        v.value.push_back(1.0 / static_cast<double>(nnz));
      }
      REQUIRE(store.store(ctx, pop, row, ref, v) == mem::ChargeStatus::ok);
      CHECK(ref.bytes <= S * sizeof(double));
      CHECK(pop.ledger().used(row) == ref.bytes);
      if (nnz > 1) (ref.dense ? saw_dense : saw_sparse) = true;
      if (nnz > 1 && !ref.dense) CHECK(sparse_bytes(nnz) < S * sizeof(double));
      store.load(ref, back);
      CHECK(back.index == v.index);
      CHECK(back.value == v.value);
    }
    if (S >= 10) CHECK(saw_sparse);
    CHECK(saw_dense);
    store.release(ctx, pop, row, ref);
    CHECK(pop.ledger().used(row) == 0);
  }
}

TEST_CASE("a point-mass belief needs no pooled memory") {
  mem::Accountant acc(mem::AccountantOptions{1});
  const mem::TagId tag = acc.tags().intern("beliefs");
  auto& pop = acc.add_population("explorers", mem::BudgetLimits::unlimited());
  const mem::AgentRow row = pop.add_agent();
  const BeliefStore store{tag, 50};
  BeliefRef ref;
  SparseVec v;
  v.index = {17};
  v.value = {1.0};
  REQUIRE(store.store(acc.context(0), pop, row, ref, v) == mem::ChargeStatus::ok);
  CHECK(ref.data == nullptr);
  CHECK(pop.ledger().used(row) == 0);
  SparseVec back;
  store.load(ref, back);
  CHECK(back.index == v.index);
}
