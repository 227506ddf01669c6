#pragma once
// The per-generation arithmetic on a slab of individuals in gene-major layout (row g = gene g of
// `width` consecutive individuals): expression through the regulatory network, fitness, and
// per-gene moments. Each individual's result depends on its own column only, in a fixed order of
// operations, so any split of the population gives the same bits.

#include <cstddef>
#include <cstdint>

#include "conditions.hpp"
#include "settings.hpp"

namespace cohort::models::gene_network {

/// Values per 64-byte line: slab widths handed to express() are multiples of this.
template <class T>
inline constexpr std::size_t kLineValues = 64 / sizeof(T);

/// A sparse matrix by rows: row r spans [offsets[r], offsets[r + 1]) of sources and weights.
template <class T>
struct SparseRows {
  const std::uint32_t* offsets = nullptr;
  const std::uint32_t* sources = nullptr;
  const T* weights = nullptr;
};

/// One generation's expression rule in the genome's precision.
template <class T>
struct ExpressionPlan {
  std::uint32_t genes = 0;
  T base = 0;  ///< b for this generation's conditions
  RegulationRule rule = RegulationRule::none;
  T weight = 0;
  bool has_network = false;  ///< false: tf = 0
  SparseRows<T> network;     ///< W by target
};

/// Step 1: e = max(0, R(b, W x)) (max(0, b) without a rule). Rows of x at x + g * x_stride, of e
/// at e + g * e_stride; `width` is a multiple of kLineValues<T> (padding columns are computed too).
void express(const ExpressionPlan<double>& plan, const double* x, std::size_t x_stride, double* e,
             std::size_t e_stride, std::size_t width);
void express(const ExpressionPlan<float>& plan, const float* x, std::size_t x_stride, float* e,
             std::size_t e_stride, std::size_t width);

/// Rows of fitness scratch beyond one per gene (pairwise temporaries for up to 65536 genes).
inline constexpr std::size_t kFitnessExtraRows = 12;

/// A fitness rule in the genome's precision.
template <class T>
struct FitnessPlan {
  std::uint32_t genes = 0;
  FitnessRule rule = FitnessRule::proportional;
  T threshold = 0;
  SparseRows<T> interactions;  ///< epistatic: M transposed, so row g gives (e^T M)_g
  const T* weights = nullptr;  ///< multi_objective
  T weight_sum = 0;            ///< multi_objective: sum(w), pairwise as numpy sums it
};

/// Step 3: fitness of `width` individuals from e (rows at e + g * e_stride, `width` a multiple of
/// kLineValues<T>) into out[0, width). Means are numpy's: a pairwise sum (8 accumulators, blocks
/// of 128) divided by G, so proportional and threshold fitness match the reference bit for bit.
/// `scratch` holds (genes + kFitnessExtraRows) * e_stride values.
void fitness(const FitnessPlan<double>& plan, const double* e, std::size_t e_stride,
             std::size_t width, double* scratch, double* out);
void fitness(const FitnessPlan<float>& plan, const float* e, std::size_t e_stride,
             std::size_t width, float* scratch, float* out);

/// Mean and sum of squared deviations of one gene over some individuals.
struct GeneMoments {
  double mean = 0;
  double m2 = 0;
};

/// Moments of each of `genes` rows over columns [0, n).
void gene_moments(const double* rows, std::size_t stride, std::uint32_t genes, std::size_t n,
                  GeneMoments* out);
void gene_moments(const float* rows, std::size_t stride, std::uint32_t genes, std::size_t n,
                  GeneMoments* out);

/// Folds `b` (over count_b individuals) into `a` (over count_a), gene by gene (Chan et al.).
void combine_moments(GeneMoments* a, const GeneMoments* b, std::uint32_t genes, double count_a,
                     double count_b);

/// numpy's pairwise sum of n values (for sums of weights).
double pairwise_sum(const double* values, std::size_t n);

}  // namespace cohort::models::gene_network
