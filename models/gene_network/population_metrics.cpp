#include "population_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cohort::models::gene_network {

std::vector<std::string> metric_names(std::uint32_t genes, bool gene_means) {
  std::vector<std::string> names = {"individuals",  "expression_mean", "expression_variance",
                                    "fitness_mean", "fitness_min",     "fitness_max",
                                    "diversity",    "tf_concentration"};
  if (gene_means)
    for (std::uint32_t g = 0; g < genes; ++g)
      names.push_back("gene_mean_" + std::to_string(g));
  return names;
}

void MomentsBySlice::add(std::size_t s, const GeneMoments* slab, std::size_t count) {
  combine_moments(slice(s), slab, genes_, counts_[s], static_cast<double>(count));
  counts_[s] += static_cast<double>(count);
}

std::vector<GeneMoments> MomentsBySlice::total(double& count) const {
  std::vector<GeneMoments> all(genes_);
  count = 0.0;
  for (std::size_t s = 0; s < counts_.size(); ++s) {
    combine_moments(all.data(), moments_.data() + s * genes_, genes_, count, counts_[s]);
    count += counts_[s];
  }
  return all;
}

std::vector<double> metric_values(const std::vector<GeneMoments>& genes, double individuals,
                                  std::span<const double> fitness, double tf_concentration,
                                  bool gene_means) {
  const auto g_count = static_cast<double>(genes.size());
  double mean_sum = 0.0, sd_sum = 0.0, m2_sum = 0.0;
  for (const GeneMoments& m : genes) {
    mean_sum += m.mean;
    m2_sum += m.m2;
    sd_sum += individuals > 0 ? std::sqrt(m.m2 / individuals) : 0.0;
  }
  const double grand = g_count > 0 ? mean_sum / g_count : 0.0;
  // Total variance over all N * G levels: within-gene plus between-gene parts.
  double between = 0.0;
  for (const GeneMoments& m : genes)
    between += (m.mean - grand) * (m.mean - grand);
  const double levels = individuals * g_count;
  const double variance = levels > 0 ? (m2_sum + individuals * between) / levels : 0.0;

  double f_sum = 0.0;
  double f_min = std::numeric_limits<double>::infinity();
  double f_max = -std::numeric_limits<double>::infinity();
  for (const double f : fitness) {  // row order: deterministic
    f_sum += f;
    f_min = std::min(f_min, f);
    f_max = std::max(f_max, f);
  }
  const bool any = !fitness.empty();
  std::vector<double> row = {individuals,
                             grand,
                             variance,
                             any ? f_sum / static_cast<double>(fitness.size()) : 0.0,
                             any ? f_min : 0.0,
                             any ? f_max : 0.0,
                             g_count > 0 ? sd_sum / g_count : 0.0,
                             tf_concentration};
  if (gene_means)
    for (const GeneMoments& m : genes)
      row.push_back(m.mean);
  return row;
}

}  // namespace cohort::models::gene_network
