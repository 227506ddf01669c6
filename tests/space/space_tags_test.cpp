#include <doctest/doctest.h>

#include "cohort/space/space_tags.hpp"

using cohort::space::SpaceTags;

TEST_CASE("space tags are registered once under their documented names") {
  cohort::memory::TagRegistry tags;
  const SpaceTags first = SpaceTags::intern(tags);
  const SpaceTags again = SpaceTags::intern(tags);
  CHECK(tags.name(first.cells) == "space.cells");
  CHECK(tags.name(first.neighbours) == "space.neighbours");
  CHECK(tags.name(first.layers) == "space.layers");
  CHECK(again.cells == first.cells);
  CHECK(again.neighbours == first.neighbours);
  CHECK(again.layers == first.layers);
}
