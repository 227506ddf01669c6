#pragma once
// Parent choice from one generation's fitness: Wright-Fisher (proportional to fitness),
// tournament and truncation; and the ranking that picks elites.

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/engine/random_stream.hpp"
#include "settings.hpp"

namespace cohort::models::gene_network {

/// The `count` fittest rows, fittest first: fitness descending, ties by row ascending, NaN last.
std::vector<std::uint32_t> fittest_rows(std::span<const double> fitness, std::size_t count);

/// Draws parents for offspring. prepare() once per generation (main thread), then draw() from any
/// thread with the offspring's own stream.
class ParentSampler {
 public:
  explicit ParentSampler(const Selection& selection) : selection_(selection) {}

  /// Sets up for `fitness` (one value per row): cumulative weights, or the breeding pool.
  void prepare(std::span<const double> fitness);
  /// One parent's row.
  std::uint32_t draw(engine::RandomStream& rng) const;

 private:
  Selection selection_;
  std::span<const double> fitness_;
  std::vector<double> cumulative_;   // wright_fisher: running sum of max(0, fitness)
  std::uint32_t last_positive_ = 0;  // wright_fisher: the last row with weight > 0
  std::vector<std::uint32_t> pool_;  // truncation: the fittest rows
};

}  // namespace cohort::models::gene_network
