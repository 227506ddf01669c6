#pragma once
// The accounting tags a space charges its storage under, so memory.json shows what the space
// costs apart from the agents' own data.

#include "cohort/memory/tags.hpp"

namespace cohort::space {

/// Tag ids of a space's storage in one accountant.
struct SpaceTags {
  memory::TagId cells;       ///< "space.cells": cell heads, bins, occupancy, cell-sorted order
  memory::TagId neighbours;  ///< "space.neighbours": Verlet neighbour lists
  memory::TagId layers;      ///< "space.layers": cell property layers (grass, tree state, ...)

  /// Registers the tags in `tags` (or finds them, when another space already did).
  static SpaceTags intern(memory::TagRegistry& tags);
};

}  // namespace cohort::space
