#pragma once
// The per-generation metrics of the gene_network model, from per-gene moments and fitness.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "generation_kernels.hpp"

namespace cohort::models::gene_network {

/// Metric names in CSV order; with `gene_means`, one gene_mean_<g> per gene at the end.
std::vector<std::string> metric_names(std::uint32_t genes, bool gene_means);

/// Per-gene moments of slices of the population, combined in slice order (the same order on any
/// thread count).
class MomentsBySlice {
 public:
  MomentsBySlice() = default;
  MomentsBySlice(std::uint32_t genes, std::size_t slices)
      : genes_(genes), moments_(genes * slices), counts_(slices, 0.0) {}

  /// Slice `s`'s moments; fold slabs into it with add().
  GeneMoments* slice(std::size_t s) { return moments_.data() + s * genes_; }
  /// Folds a slab of `count` individuals into slice `s` (starting from empty).
  void add(std::size_t s, const GeneMoments* slab, std::size_t count);
  void clear(std::size_t s) { counts_[s] = 0.0; }
  /// All slices combined, with the total count.
  std::vector<GeneMoments> total(double& count) const;
  std::size_t bytes() const { return moments_.capacity() * sizeof(GeneMoments); }

 private:
  std::uint32_t genes_ = 0;
  std::vector<GeneMoments> moments_;
  std::vector<double> counts_;
};

/// The metric row: individuals, expression mean and variance (over all levels), fitness mean, min
/// and max, diversity (mean over genes of the standard deviation across individuals), the
/// generation's tf_concentration, then optional per-gene means.
std::vector<double> metric_values(const std::vector<GeneMoments>& genes, double individuals,
                                  std::span<const double> fitness, double tf_concentration,
                                  bool gene_means);

}  // namespace cohort::models::gene_network
