// The helpers here pass SIMD vectors by value (also regulate() in conditions.hpp), which GCC
// flags as an ABI change for targets without AVX; they are always inlined into the entry points,
// so no call ever crosses that ABI. Set before the includes: it applies where templates are
// defined.
#pragma GCC diagnostic ignored "-Wpsabi"

#include "generation_kernels.hpp"

#include <algorithm>
#include <cstring>

namespace cohort::models::gene_network {

namespace {

// SIMD values as GCC vector types: a line (64 bytes) for the network product, half a line for
// the pairwise sums (8 accumulators of half a line fit the register file). The clones below
// compile them to SSE2, AVX2 or AVX-512 instructions; the arithmetic per element is the same.
typedef double LineD __attribute__((vector_size(64)));
typedef float LineF __attribute__((vector_size(64)));
typedef double HalfD __attribute__((vector_size(32)));
typedef float HalfF __attribute__((vector_size(32)));

template <class T>
struct Simd;
template <>
struct Simd<double> {
  using Line = LineD;
  using Half = HalfD;
};
template <>
struct Simd<float> {
  using Line = LineF;
  using Half = HalfF;
};

template <class V, class T>
[[gnu::always_inline]] inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class V, class T>
[[gnu::always_inline]] inline void store(T* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// One target row of a sparse product over a line of individuals: w0 x0 + w1 x1 + ..., summed in
// source order like scipy's csr_matvec (its leading 0 + changes nothing for finite values).
template <class T, class Line = typename Simd<T>::Line>
[[gnu::always_inline]] inline Line row_product(const SparseRows<T>& m, std::uint32_t row,
                                               const T* x, std::size_t x_stride, std::size_t c) {
  const std::uint32_t begin = m.offsets[row], end = m.offsets[row + 1];
  Line acc = m.weights[begin] * load<Line>(x + m.sources[begin] * x_stride + c);
  for (std::uint32_t k = begin + 1; k < end; ++k)
    acc += m.weights[k] * load<Line>(x + m.sources[k] * x_stride + c);
  return acc;
}

// row_product for `Lines` consecutive lines at once: the short loop over sources, whose exit is
// mispredicted, runs once per Lines lines. The same operations per element, in the same order.
template <std::size_t Lines, class T, class Line = typename Simd<T>::Line>
[[gnu::always_inline]] inline void row_products(const SparseRows<T>& m, std::uint32_t row,
                                                const T* x, std::size_t x_stride, std::size_t c,
                                                Line (&acc)[Lines]) {
  const std::uint32_t begin = m.offsets[row], end = m.offsets[row + 1];
  const T* source = x + m.sources[begin] * x_stride + c;
  for (std::size_t l = 0; l < Lines; ++l)
    acc[l] = m.weights[begin] * load<Line>(source + l * kLineValues<T>);
  for (std::uint32_t k = begin + 1; k < end; ++k) {
    source = x + m.sources[k] * x_stride + c;
    for (std::size_t l = 0; l < Lines; ++l)
      acc[l] += m.weights[k] * load<Line>(source + l * kLineValues<T>);
  }
}

template <class T, RegulationRule Rule>
[[gnu::always_inline]] inline void express_regulated(const ExpressionPlan<T>& p, const T* x,
                                                     std::size_t x_stride, T* e,
                                                     std::size_t e_stride, std::size_t width) {
  using Line = typename Simd<T>::Line;
  constexpr std::size_t kLines = 4, kValues = kLineValues<T>;
  const Line zero = {};
  const auto finish = [&](T* out, const Line& tf) {
    const Line v = regulate<Rule>(p.base, p.weight, tf);
    store(out, Line(v > zero ? v : zero));
  };
  for (std::uint32_t t = 0; t < p.genes; ++t) {
    T* out = e + t * e_stride;
    if (p.network.offsets[t] == p.network.offsets[t + 1]) {  // no regulator: tf = 0
      std::fill_n(out, width, clamp_level(regulate<Rule>(p.base, p.weight, T(0))));
      continue;
    }
    std::size_t c = 0;
    for (; c + kLines * kValues <= width; c += kLines * kValues) {
      Line acc[kLines];
      row_products(p.network, t, x, x_stride, c, acc);
      for (std::size_t l = 0; l < kLines; ++l)
        finish(out + c + l * kValues, acc[l]);
    }
    for (; c < width; c += kValues)
      finish(out + c, row_product(p.network, t, x, x_stride, c));
  }
}

template <class T>
[[gnu::always_inline]] inline void express_impl(const ExpressionPlan<T>& p, const T* x,
                                                std::size_t x_stride, T* e, std::size_t e_stride,
                                                std::size_t width) {
  // Without a rule the reference still computes W x, then ignores it; without a network tf = 0
  // and R(b, 0) = b for both rules: either way every level is max(0, b).
  if (!p.has_network || p.rule == RegulationRule::none) {
    for (std::uint32_t t = 0; t < p.genes; ++t)
      std::fill_n(e + t * e_stride, width, clamp_level(p.base));
    return;
  }
  if (p.rule == RegulationRule::additive)
    express_regulated<T, RegulationRule::additive>(p, x, x_stride, e, e_stride, width);
  else
    express_regulated<T, RegulationRule::multiplicative>(p, x, x_stride, e, e_stride, width);
}

// numpy's pairwise_sum for n <= 128 on half a line of columns at once: 8 accumulators over rows
// i = j (mod 8), combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the rows
// past the last multiple of 8; below 8 rows, 0 + a0 + a1 + ...
template <class T, class Half = typename Simd<T>::Half>
[[gnu::always_inline]] inline Half block_sum(const T* p, std::size_t stride, std::uint32_t n) {
  if (n < 8) {
    Half res = {};
    for (std::uint32_t i = 0; i < n; ++i)
      res += load<Half>(p + i * stride);
    return res;
  }
  Half r[8];
  for (std::uint32_t j = 0; j < 8; ++j)
    r[j] = load<Half>(p + j * stride);
  std::uint32_t i = 8;
  for (; i < n - n % 8; i += 8)
    for (std::uint32_t j = 0; j < 8; ++j)
      r[j] += load<Half>(p + (i + j) * stride);
  Half res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i)
    res += load<Half>(p + i * stride);
  return res;
}

// numpy's pairwise sum down each column of n rows; above 128 rows it halves (at a multiple of 8)
// and adds the halves. `tmp` has room for one row per level of halving.
template <class T>
void pairwise_columns(const T* rows, std::size_t stride, std::uint32_t n, std::size_t width, T* out,
                      T* tmp) {
  using Half = typename Simd<T>::Half;
  constexpr std::size_t lanes = sizeof(Half) / sizeof(T);
  if (n <= 128) {
    for (std::size_t c = 0; c < width; c += lanes)
      store(out + c, block_sum(rows + c, stride, n));
    return;
  }
  std::uint32_t n2 = n / 2;
  n2 -= n2 % 8;
  pairwise_columns(rows, stride, n2, width, out, tmp + width);
  pairwise_columns(rows + n2 * stride, stride, n - n2, width, tmp, tmp + width);
  for (std::size_t c = 0; c < width; ++c)
    out[c] += tmp[c];
}

template <class T>
[[gnu::always_inline]] inline void fitness_impl(const FitnessPlan<T>& p, const T* e,
                                                std::size_t e_stride, std::size_t width, T* scratch,
                                                T* out) {
  using Line = typename Simd<T>::Line;
  const T genes = static_cast<T>(p.genes);
  T* deep = scratch + static_cast<std::size_t>(p.genes) * e_stride;  // pairwise temporaries
  switch (p.rule) {
    case FitnessRule::proportional:
    case FitnessRule::threshold:
      pairwise_columns(e, e_stride, p.genes, width, out, deep);
      for (std::size_t c = 0; c < width; ++c) {
        const T mean = out[c] / genes;
        out[c] = p.rule == FitnessRule::proportional ? mean : (mean >= p.threshold ? T(1) : T(0));
      }
      return;
    case FitnessRule::epistatic: {
      // numpy: mean(E, 1) + ((E @ M) * E).sum(1) / G; scratch row g = (e^T M)_g * e_g.
      for (std::uint32_t g = 0; g < p.genes; ++g) {
        T* row = scratch + g * e_stride;
        if (p.interactions.offsets[g] == p.interactions.offsets[g + 1]) {
          std::fill_n(row, width, T(0));
          continue;
        }
        for (std::size_t c = 0; c < width; c += kLineValues<T>)
          store(row + c, Line(row_product(p.interactions, g, e, e_stride, c) *
                              load<Line>(e + g * e_stride + c)));
      }
      pairwise_columns(scratch, e_stride, p.genes, width, out, deep);  // the bonus
      T* mean = deep;  // the bonus is in `out`; the means go to the temporaries
      pairwise_columns(e, e_stride, p.genes, width, mean, deep + width);
      for (std::size_t c = 0; c < width; ++c)
        out[c] = mean[c] / genes + (p.genes > 1 ? out[c] / genes : out[c]);
      return;
    }
    case FitnessRule::multi_objective:
      for (std::size_t c = 0; c < width; ++c)
        out[c] = T(0);
      for (std::uint32_t g = 0; g < p.genes; ++g)
        for (std::size_t c = 0; c < width; ++c)
          out[c] += p.weights[g] * e[g * e_stride + c];
      for (std::size_t c = 0; c < width; ++c)
        out[c] = p.weight_sum > T(0) ? out[c] / p.weight_sum : T(0);
      return;
  }
}

// Two passes per gene (mean, then squared deviations), each over 8 interleaved lanes combined in
// a fixed tree: vectorisable, and the same result however the population is split into threads.
template <class T>
[[gnu::always_inline]] inline void moments_impl(const T* rows, std::size_t stride,
                                                std::uint32_t genes, std::size_t n,
                                                GeneMoments* out) {
  const auto tree = [](const double* a) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  };
  for (std::uint32_t g = 0; g < genes; ++g) {
    const T* r = rows + g * stride;
    double lane[8] = {};
    std::size_t c = 0;
    for (; c + 8 <= n; c += 8)
      for (int j = 0; j < 8; ++j)
        lane[j] += static_cast<double>(r[c + j]);
    for (int j = 0; c < n; ++c, ++j)
      lane[j] += static_cast<double>(r[c]);
    const double mean = n > 0 ? tree(lane) / static_cast<double>(n) : 0.0;
    double dev[8] = {};
    for (c = 0; c + 8 <= n; c += 8)
      for (int j = 0; j < 8; ++j) {
        const double d = static_cast<double>(r[c + j]) - mean;
        dev[j] += d * d;
      }
    for (int j = 0; c < n; ++c, ++j) {
      const double d = static_cast<double>(r[c]) - mean;
      dev[j] += d * d;
    }
    out[g] = {mean, tree(dev)};
  }
}

}  // namespace

// Each entry point is compiled for AVX-512, AVX2 and baseline x86-64 and picked at load time.
// No FMA contraction (-ffp-contract=off for these files): results are the same on every path.
// Under ThreadSanitizer there is one path: target_clones resolves through an ifunc, which runs
// before the TSan runtime is up and crashes the program at load. The threading is the same on
// every path, so TSan still checks it.
#if defined(__SANITIZE_THREAD__)
#define COHORT_SANITIZE_THREAD_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COHORT_SANITIZE_THREAD_BUILD 1
#endif
#endif
#if defined(__x86_64__) && !defined(COHORT_SANITIZE_THREAD_BUILD)
#define COHORT_GENE_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define COHORT_GENE_KERNEL
#endif

COHORT_GENE_KERNEL void express(const ExpressionPlan<double>& plan, const double* x,
                                std::size_t x_stride, double* e, std::size_t e_stride,
                                std::size_t width) {
  express_impl(plan, x, x_stride, e, e_stride, width);
}

COHORT_GENE_KERNEL void express(const ExpressionPlan<float>& plan, const float* x,
                                std::size_t x_stride, float* e, std::size_t e_stride,
                                std::size_t width) {
  express_impl(plan, x, x_stride, e, e_stride, width);
}

COHORT_GENE_KERNEL void fitness(const FitnessPlan<double>& plan, const double* e,
                                std::size_t e_stride, std::size_t width, double* scratch,
                                double* out) {
  fitness_impl(plan, e, e_stride, width, scratch, out);
}

COHORT_GENE_KERNEL void fitness(const FitnessPlan<float>& plan, const float* e,
                                std::size_t e_stride, std::size_t width, float* scratch,
                                float* out) {
  fitness_impl(plan, e, e_stride, width, scratch, out);
}

COHORT_GENE_KERNEL void gene_moments(const double* rows, std::size_t stride, std::uint32_t genes,
                                     std::size_t n, GeneMoments* out) {
  moments_impl(rows, stride, genes, n, out);
}

COHORT_GENE_KERNEL void gene_moments(const float* rows, std::size_t stride, std::uint32_t genes,
                                     std::size_t n, GeneMoments* out) {
  moments_impl(rows, stride, genes, n, out);
}

void combine_moments(GeneMoments* a, const GeneMoments* b, std::uint32_t genes, double count_a,
                     double count_b) {
  const double n = count_a + count_b;
  if (count_b == 0) return;
  for (std::uint32_t g = 0; g < genes; ++g) {
    if (count_a == 0) {
      a[g] = b[g];
      continue;
    }
    const double d = b[g].mean - a[g].mean;
    a[g].mean += d * count_b / n;
    a[g].m2 += b[g].m2 + d * d * count_a * count_b / n;
  }
}

double pairwise_sum(const double* values, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      res += values[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j)
      r[j] = values[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j)
        r[j] += values[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i)
      res += values[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(values, n2) + pairwise_sum(values + n2, n - n2);
}

}  // namespace cohort::models::gene_network
