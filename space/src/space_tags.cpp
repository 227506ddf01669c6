#include "cohort/space/space_tags.hpp"

namespace cohort::space {

SpaceTags SpaceTags::intern(memory::TagRegistry& tags) {
  return {tags.intern("space.cells"), tags.intern("space.neighbours"), tags.intern("space.layers")};
}

}  // namespace cohort::space
