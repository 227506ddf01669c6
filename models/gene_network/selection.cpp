#include "selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cohort::models::gene_network {

namespace {

// Ranking key: NaN (from overflowing levels) ranks below everything.
double rank_key(double f) {
  return std::isnan(f) ? -std::numeric_limits<double>::infinity() : f;
}

// Selection weight: negative, NaN and infinite fitness carry no weight.
double weight_of(double f) {
  return f > 0 && std::isfinite(f) ? f : 0.0;
}

}  // namespace

std::vector<std::uint32_t> fittest_rows(std::span<const double> fitness, std::size_t count) {
  std::vector<std::uint32_t> rows(fitness.size());
  std::iota(rows.begin(), rows.end(), 0u);
  count = std::min(count, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(count), rows.end(),
                    [&](std::uint32_t a, std::uint32_t b) {
                      const double fa = rank_key(fitness[a]), fb = rank_key(fitness[b]);
                      return fa != fb ? fa > fb : a < b;
                    });
  rows.resize(count);
  return rows;
}

void ParentSampler::prepare(std::span<const double> fitness) {
  fitness_ = fitness;
  const std::size_t n = fitness.size();
  switch (selection_.rule) {
    case SelectionRule::wright_fisher: {
      cumulative_.resize(n);
      double sum = 0.0;  // in row order: the same sums on any thread count
      last_positive_ = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double w = weight_of(fitness[i]);
        if (w > 0) last_positive_ = static_cast<std::uint32_t>(i);
        sum += w;
        cumulative_[i] = sum;
      }
      break;
    }
    case SelectionRule::truncation: {
      const auto breeders = static_cast<std::size_t>(
          std::ceil(selection_.truncation_fraction * static_cast<double>(n)));
      pool_ = fittest_rows(fitness, std::clamp<std::size_t>(breeders, 1, n));
      break;
    }
    default:
      break;
  }
}

std::uint32_t ParentSampler::draw(engine::RandomStream& rng) const {
  const auto n = static_cast<std::uint32_t>(fitness_.size());
  switch (selection_.rule) {
    case SelectionRule::wright_fisher: {
      const double total = cumulative_.empty() ? 0.0 : cumulative_.back();
      if (!(total > 0) || !std::isfinite(total)) return rng.below(n);  // all zero: uniform
      const double u = rng.uniform() * total;
      const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      // u * total may round up to total: that mass belongs to the last row with weight.
      return it == cumulative_.end() ? last_positive_
                                     : static_cast<std::uint32_t>(it - cumulative_.begin());
    }
    case SelectionRule::tournament: {
      std::uint32_t best = rng.below(n);
      for (std::uint32_t k = 1; k < selection_.tournament_size; ++k) {
        const std::uint32_t c = rng.below(n);
        const double fc = rank_key(fitness_[c]), fb = rank_key(fitness_[best]);
        if (fc > fb || (fc == fb && c < best)) best = c;
      }
      return best;
    }
    case SelectionRule::truncation:
      return pool_[rng.below(static_cast<std::uint32_t>(pool_.size()))];
    case SelectionRule::none:
      break;
  }
  return 0;
}

}  // namespace cohort::models::gene_network
