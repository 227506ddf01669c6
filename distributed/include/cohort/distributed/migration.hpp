#pragma once
// Migration: agents whose position left this rank's region move to the rank that owns it,
// carrying their uid, every value component and their pooled data, so identity and state do not
// depend on where an agent is stored.

#include <cstddef>

#include "cohort/distributed/box_decomposition.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/engine/rank_group.hpp"

namespace cohort::distributed {

/// Sends every agent of `population` whose `position` lies outside this rank's region to its
/// owner, and creates the agents other ranks sent (appended in rank order, then in the sender's
/// row order, with their uids). Value components travel as they are; pooled per-agent data
/// travels through the population's payload codec (engine::AgentPayloadCodec): saved here, freed
/// with the leaving agent by its release hook, rebuilt and charged on arrival. Positions must
/// lie inside the box (wrapped). Returns how many agents left this rank. Collective. Throws
/// std::invalid_argument for a population whose agents hold pooled data and that has no codec.
template <int D>
std::size_t migrate(engine::Population& population, engine::Component<Vec<D>> position,
                    const BoxDecomposition<D>& decomposition, const engine::RankGroup& ranks);

}  // namespace cohort::distributed
