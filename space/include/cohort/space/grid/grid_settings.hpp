#pragma once
// The `space:` block of a model on a grid: its schema (with the model's defaults) and the parser
// from the validated config.
//
//   space:
//     kind: grid
//     dimensions: [100, 100]          # cells per axis: 2 or 3 entries
//     periodic: [true, true]          # torus (true) or bounded (false), per axis
//     occupancy: single               # or multiple
//     neighbourhood: {metric: moore, radius: 1, include_centre: false}
//                                     # moore = chebyshev, von_neumann = manhattan, euclidean

#include <cstdint>
#include <vector>

#include "cohort/engine/config_value.hpp"
#include "cohort/engine/param_spec.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"
#include "cohort/space/grid/grid_shape.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

namespace cohort::space {

/// A grid space as configured.
struct GridSpaceSettings {
  std::vector<std::uint32_t> dimensions{100, 100};
  std::vector<bool> periodic{false, false};
  Occupancy occupancy = Occupancy::single;
  NeighbourhoodSpec neighbourhood = NeighbourhoodSpec::moore(1);

  GridShape shape() const;
};

/// Schema of the `space:` block of a grid model, defaulting to `defaults`.
engine::ParamSpec grid_space_schema(const GridSpaceSettings& defaults);
/// The settings of a validated `space:` block. Throws engine::ConfigError (file:line:column,
/// key) when `periodic` does not have one entry per dimension or the grid has 2^32 cells or more.
GridSpaceSettings grid_settings(const engine::ConfigValue& space);

}  // namespace cohort::space
