#pragma once
// Moving a population-level charge from one (used, held) pair to another: the one rule shared by
// every store that keeps its charge equal to what it holds (activation orders, space indexes).

#include <cstddef>

#include "cohort/memory/charge_context.hpp"

namespace cohort::engine {

/// Changes the charge of `tag` to `account` from (used_from, held_from) to (used, held): one call
/// for the difference when both figures move the same way (a row added or removed), else a
/// release and a charge.
inline void recharge_shared(memory::ChargeContext& ctx, memory::PopulationAccount& account,
                            memory::TagId tag, std::size_t used_from, std::size_t held_from,
                            std::size_t used, std::size_t held) {
  if (used >= used_from && held >= held_from) {
    ctx.charge_shared(account, tag, used - used_from, held - held_from);
  } else if (used <= used_from && held <= held_from) {
    ctx.release_shared(account, tag, used_from - used, held_from - held);
  } else {
    ctx.release_shared(account, tag, used_from, held_from);
    ctx.charge_shared(account, tag, used, held);
  }
}

}  // namespace cohort::engine
