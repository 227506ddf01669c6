#pragma once
// Point mutation by geometric skipping: instead of a Bernoulli draw per gene, draw the number of
// untouched genes before the next mutated one, Geometric(rate). The mutated set has exactly the
// distribution of "each gene independently with probability rate", for ~rate * G + 1 draws
// instead of G.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "cohort/engine/random/geometric_skip.hpp"
#include "cohort/engine/random/normal_sampler.hpp"
#include "conditions.hpp"

namespace cohort::models::gene_network {

// The engine's random layer (batched Philox streams, ziggurat normals, exact Bernoulli).
using namespace cohort::engine::random_layer;

/// Mutates an individual's levels: each gene with probability `rate` becomes
/// max(0, x + magnitude * z), z ~ N(0, 1).
class PointMutation {
 public:
  PointMutation(double rate, double magnitude, std::uint32_t genes)
      : rate_(rate), magnitude_(magnitude), genes_(genes), normal_(&ZigguratTables::get()) {
    if (active() && rate < 1.0) skip_ = GeometricSkip(rate, genes);
  }

  /// False when mutation cannot change anything (rate 0 or magnitude 0): no draws are needed.
  bool active() const { return rate_ > 0 && magnitude_ > 0; }

  /// Mutates levels[g * stride], g < genes: which genes from `where`, by how much from
  /// `how_much` (word sources with next_u64 and uniform). Two streams keep the gap draws at fixed
  /// word positions, independent of the normals' variable use, so they overlap in the pipeline.
  template <class T, class Words>
  void apply(T* levels, std::size_t stride, Words& where, Words& how_much) const {
    if (!active()) return;
    if (rate_ >= 1.0) {
      for (std::uint32_t g = 0; g < genes_; ++g)
        mutate(levels[g * stride], how_much);
      return;
    }
    for (std::uint32_t g = skip_(where); g < genes_; g += 1 + skip_(where))
      mutate(levels[g * stride], how_much);
  }

  /// Philox blocks of the `where` and `how_much` streams an individual uses on average plus one
  /// standard deviation: how many to compute in batches before going one block at a time.
  unsigned where_blocks() const { return blocks(rate_ >= 1.0 ? 0.0 : 2.0, 2.0); }
  unsigned how_much_blocks() const { return blocks(0.0, 2.03); }

 private:
  // Blocks for `fixed` words plus `per_mutation` words for each mutated gene.
  unsigned blocks(double fixed, double per_mutation) const {
    if (!active()) return 0;
    const double mutated = genes_ * std::min(rate_, 1.0);
    const double spread = std::sqrt(genes_ * rate_ * std::max(0.0, 1.0 - rate_));
    const double words = fixed + per_mutation * (mutated + spread);
    return static_cast<unsigned>(std::clamp(std::ceil(words / 4.0), 1.0, 64.0));
  }

  // The reference's x + normal(0, magnitude), clamped at 0; computed in double, stored as T.
  template <class T, class Words>
  void mutate(T& level, Words& words) const {
    const double perturbation = magnitude_ * standard_normal(*normal_, words);
    level = clamp_level(static_cast<T>(static_cast<double>(level) + perturbation));
  }

  double rate_;
  double magnitude_;
  std::uint32_t genes_;
  const ZigguratTables* normal_;
  GeometricSkip skip_;
};

}  // namespace cohort::models::gene_network
