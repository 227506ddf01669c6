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

/// What building the grid would refuse, as ConfigErrors at `parameters`' keys: a map with a bad
/// cell or a ragged line, and (with agents to place) a grid where every cell is an obstacle.
/// Generates the map as make_grid would (O(width * height)), without the rest of the grid.
void check_grid(const Settings& s, const engine::ConfigValue& parameters, std::uint64_t seed,
                std::uint16_t population, std::uint64_t agents);

}  // namespace cohort::models::belief
