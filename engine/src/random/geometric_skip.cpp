#include "cohort/engine/random/geometric_skip.hpp"

#include <cmath>

namespace cohort::engine {
inline namespace random_layer {

GeometricSkip::GeometricSkip(double rate, std::uint32_t genes)
    : keep_(genes + 1), alias_(genes + 1) {
  const std::size_t n = genes + 1;
  const double log_keep = std::log1p(-rate);
  // Probabilities scaled by n: column k holds its outcome with chance min(1, scaled[k]).
  std::vector<double> scaled(n);
  for (std::uint32_t k = 0; k < genes; ++k)
    scaled[k] = rate * std::exp(k * log_keep) * static_cast<double>(n);
  scaled[genes] = std::exp(genes * log_keep) * static_cast<double>(n);

  // Vose's construction: pair each under-full column with an over-full one.
  std::vector<std::uint32_t> small, large;
  for (std::uint32_t k = 0; k < n; ++k)
    (scaled[k] < 1.0 ? small : large).push_back(k);
  const auto keep_of = [](double chance) {
    // chance in [0, 1) as a 64-bit threshold (rounding may leave it a hair below 0).
    return chance <= 0.0 ? 0ull : static_cast<std::uint64_t>(std::ldexp(chance, 64));
  };
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    keep_[s] = keep_of(scaled[s]);
    alias_[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left is full up to rounding: it always keeps its own outcome.
  for (const std::uint32_t k : large) {
    keep_[k] = ~0ull;
    alias_[k] = k;
  }
  for (const std::uint32_t k : small) {
    keep_[k] = ~0ull;
    alias_[k] = k;
  }
}

}  // namespace random_layer
}  // namespace cohort::engine
