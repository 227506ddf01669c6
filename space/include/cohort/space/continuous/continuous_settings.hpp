#pragma once
// The `space:` block of a model in continuous space: its schema (with the model's defaults) and
// the parser from the validated config.
//
//   space:
//     kind: continuous
//     box: [33.6, 33.6, 33.6]        # lengths per axis: 2 or 3 entries (the dimensions)
//     periodic: [true, true, true]   # per axis: wraps (true) or bounded (false)
//     cutoff: 2.5                    # interaction range
//     skin: 0.3                      # extra list range; lists stay valid while moves < skin/2
//     cell_size: 0                   # minimum bin width; 0 = cutoff + skin
//     neighbour_list: half           # half, full, or none (cell-list queries only)
//     rebuild: {every: {steps: 20}}  # or `automatic` (when a move exceeds skin / 2)
//     on_list_over_budget: fail      # or cells: fall back to cell-list queries
//     sort_rows: true                # re-sort rows by bin at rebuilds (locality)
//     sort_every: 1                  # rebuilds between re-sorts (0 = first build only)
//     query: exact                   # or cells_only (Agents.jl's approximate search)

#include <array>
#include <cstdint>

#include "cohort/engine/config_value.hpp"
#include "cohort/engine/param_spec.hpp"
#include "cohort/space/continuous/continuous_space.hpp"

namespace cohort::space {

/// How a model's radius queries pick neighbours.
enum class QueryMode : std::uint8_t {
  exact,       ///< every agent within the radius, Euclidean distance checked
  cells_only,  ///< Agents.jl's default approximation (for_each_in_cells_agents_jl)
};

/// A continuous space as configured.
struct ContinuousSpaceSettings {
  int dimensions = 2;
  std::array<double, 3> box{100, 100, 100};  ///< the first `dimensions` entries count
  std::array<bool, 3> periodic{true, true, true};
  ContinuousOptions options;
  QueryMode query = QueryMode::exact;

  /// The box of a D-dimensional space (D must equal `dimensions`).
  template <int D>
  Box<D> make_box() const {
    Vec<D> lengths;
    std::array<bool, D> wrap;
    for (int a = 0; a < D; ++a)
      lengths[a] = box[a], wrap[a] = periodic[a];
    return Box<D>(lengths, wrap);
  }
};

/// Which keys a model lets its `space:` block set.
enum class BoxKeys : std::uint8_t {
  configured,  ///< box, periodic and query are keys of the block
  from_model,  ///< the model derives the box (e.g. from a lattice): those keys are left out
};

/// Schema of the `space:` block of a continuous model, defaulting to `defaults`.
engine::ParamSpec continuous_space_schema(const ContinuousSpaceSettings& defaults,
                                          BoxKeys box = BoxKeys::configured);
/// The settings of a validated `space:` block; keys the schema left out keep their values from
/// `defaults`. Throws engine::ConfigError (file:line:column, key) when `periodic` does not have
/// one entry per box axis, the cell size is below cutoff + skin, or cutoff + skin exceeds half
/// a periodic box length.
ContinuousSpaceSettings continuous_settings(const engine::ConfigValue& space,
                                            const ContinuousSpaceSettings& defaults = {});

}  // namespace cohort::space
