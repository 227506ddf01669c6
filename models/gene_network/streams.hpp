#pragma once
// The random streams of the gene_network model. Every draw comes from an engine Philox stream
// keyed by (seed, population, agent, step, stream); distinct stream numbers keep the uses
// independent, and keying by the individual's id (not its thread or order) keeps results
// identical on any thread count.

#include <cstdint>

namespace cohort::models::gene_network::streams {

inline constexpr std::uint16_t kInitial = 0;       ///< initial levels (step ~0)
inline constexpr std::uint16_t kMutation = 1;      ///< which genes of an individual mutate
inline constexpr std::uint16_t kSelection = 2;     ///< parents of the offspring in a slot
inline constexpr std::uint16_t kCrossover = 3;     ///< which parent each locus comes from
inline constexpr std::uint16_t kNetwork = 4;       ///< the random network (population-wide)
inline constexpr std::uint16_t kMutationSize = 5;  ///< by how much each mutated gene changes

/// The step value used for draws made before the first generation.
inline constexpr std::uint64_t kBeforeFirstStep = ~0ull;

}  // namespace cohort::models::gene_network::streams
