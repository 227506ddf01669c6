#pragma once
// Building the shared GridWorld of a run from its settings: a given map, or one generated from
// seeded densities.

#include <cstdint>
#include <memory>

#include "grid_world.hpp"
#include "settings.hpp"

namespace cohort::models::belief {

/// The grid of a run; a generated map depends only on (seed, population index).
std::unique_ptr<GridWorld> make_grid(const Settings& s, std::uint64_t seed,
                                     std::uint16_t population);

}  // namespace cohort::models::belief
