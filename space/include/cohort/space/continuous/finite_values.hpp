#pragma once
// A resumed run must not start from positions or velocities no run could have produced: a NaN
// or an infinity read from a (forged, CRC-valid) checkpoint would be binned, moved and summed
// into garbage results that look like a run. Models check their vector columns on load.

#include <cmath>
#include <string>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/space/continuous/box.hpp"

namespace cohort::space {

/// Throws engine::CheckpointError naming the population, the column, the agent's uid and the
/// value unless every component of `column` is finite.
template <int D>
void require_finite(const engine::Population& population, engine::Component<Vec<D>> column,
                    const std::string& column_name) {
  const auto values = population.column(column);
  for (engine::Row r = 0; r < values.size(); ++r)
    for (int a = 0; a < D; ++a)
      if (!std::isfinite(values[r][a]))
        throw engine::CheckpointError("checkpoint is corrupt: the " + column_name +
                                      " of agent uid " + std::to_string(population.uid_at(r)) +
                                      " of population '" + population.name() + "' is " +
                                      std::to_string(values[r][a]) + " on axis " +
                                      std::to_string(a) + ", not a finite number");
}

/// Throws engine::CheckpointError as require_finite does, and also for a position outside
/// [0, L) on a periodic axis of `box`: positions a model keeps wrapped after every move.
template <int D>
void require_wrapped(const engine::Population& population, engine::Component<Vec<D>> column,
                     const Box<D>& box, const std::string& column_name) {
  require_finite<D>(population, column, column_name);
  const auto values = population.column(column);
  for (engine::Row r = 0; r < values.size(); ++r)
    for (int a = 0; a < D; ++a)
      if (box.periodic(a) && !(values[r][a] >= 0 && values[r][a] < box.length(a)))
        throw engine::CheckpointError(
            "checkpoint is corrupt: the " + column_name + " of agent uid " +
            std::to_string(population.uid_at(r)) + " of population '" + population.name() +
            "' is " + std::to_string(values[r][a]) + " on axis " + std::to_string(a) +
            ", outside the periodic box [0, " + std::to_string(box.length(a)) + ")");
}

}  // namespace cohort::space
