#pragma once
// Stopping a run when the system allocator, not a budget, failed an allocation.

#include "cohort/memory/charge_context.hpp"
#include "cohort/memory/refusal.hpp"

namespace cohort::memory {

/// Throws BudgetExceeded (its refusal marked out_of_memory, from ChargeContext::last_refusal)
/// when `r` failed because the system allocator had no memory. Models call it before handling a
/// refusal, so running out of memory stops the run with a typed error instead of passing for an
/// agent's budget refusal (freezing or degrading the agent would make results depend on the
/// machine's free memory). Everything the model holds must be consistent when it is called.
inline void throw_if_out_of_memory(const ChargeContext& ctx, const AllocResult& r) {
  if (r.status == ChargeStatus::upstream_failed) [[unlikely]]
    throw BudgetExceeded(ctx.last_refusal());
}

}  // namespace cohort::memory
