// AVX-512 scan of the neighbour list build (range_scan.hpp). Hand-written: GCC vectorises the
// portable scan only to SSE2 pairs (the baseline target), and the compress of the rows in range
// has no portable form. Compiled for AVX-512 by a function attribute and chosen at run time, so
// the binary runs on any x86-64. Built with -ffp-contract=off: d * d + d2 must round twice, as
// the portable scan does, for the same list.
#include "range_scan.hpp"

#if defined(__x86_64__)
// GCC 12 warns inside its own AVX-512 headers that an undefined upper half is "(maybe) used
// uninitialized" (GCC bug 105593): a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#endif

namespace cohort::space {

#if defined(__x86_64__)

bool avx512_range_scan_usable() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}

namespace {

template <int D, bool kSkip>
__attribute__((target("avx512f,avx512vl"))) std::uint32_t* scan(
    const double* soa, std::size_t stride, const std::uint32_t* rows, std::size_t& k,
    std::size_t end, std::uint32_t skip, const Vec<D>& xi, const Vec<D>& shift, double r2,
    std::uint32_t* out) {
  __m512d at[D], by[D];
  for (int a = 0; a < D; ++a) {
    at[a] = _mm512_set1_pd(xi[a]);
    by[a] = _mm512_set1_pd(shift[a]);
  }
  const __m512d range2 = _mm512_set1_pd(r2);
  const __m256i skipped = _mm256_set1_epi32(static_cast<int>(skip));
  std::size_t s = k;
  for (; s + 8 <= end; s += 8) {
    __m512d d2 = _mm512_setzero_pd();
    for (int a = 0; a < D; ++a) {
      const __m512d d =
          _mm512_add_pd(_mm512_sub_pd(_mm512_loadu_pd(soa + a * stride + s), at[a]), by[a]);
      d2 = a == 0 ? _mm512_mul_pd(d, d) : _mm512_add_pd(d2, _mm512_mul_pd(d, d));
    }
    __mmask8 in = _mm512_cmp_pd_mask(d2, range2, _CMP_LE_OQ);
    const __m256i j = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + s));
    if constexpr (kSkip) in &= _mm256_cmpneq_epi32_mask(j, skipped);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_maskz_compress_epi32(in, j));
    out += __builtin_popcount(in);
  }
  k = s;
  return out;
}

}  // namespace

template <int D, bool kSkip>
std::uint32_t* avx512_scan_slice(const double* soa, std::size_t stride, const std::uint32_t* rows,
                                 std::size_t& k, std::size_t end, std::uint32_t skip,
                                 const Vec<D>& xi, const Vec<D>& shift, double r2,
                                 std::uint32_t* out) {
  return scan<D, kSkip>(soa, stride, rows, k, end, skip, xi, shift, r2, out);
}

#else

bool avx512_range_scan_usable() {
  return false;
}

template <int D, bool kSkip>
std::uint32_t* avx512_scan_slice(const double*, std::size_t, const std::uint32_t*, std::size_t&,
                                 std::size_t, std::uint32_t, const Vec<D>&, const Vec<D>&, double,
                                 std::uint32_t* out) {
  return out;
}

#endif

template std::uint32_t* avx512_scan_slice<2, false>(const double*, std::size_t,
                                                    const std::uint32_t*, std::size_t&, std::size_t,
                                                    std::uint32_t, const Vec<2>&, const Vec<2>&,
                                                    double, std::uint32_t*);
template std::uint32_t* avx512_scan_slice<2, true>(const double*, std::size_t, const std::uint32_t*,
                                                   std::size_t&, std::size_t, std::uint32_t,
                                                   const Vec<2>&, const Vec<2>&, double,
                                                   std::uint32_t*);
template std::uint32_t* avx512_scan_slice<3, false>(const double*, std::size_t,
                                                    const std::uint32_t*, std::size_t&, std::size_t,
                                                    std::uint32_t, const Vec<3>&, const Vec<3>&,
                                                    double, std::uint32_t*);
template std::uint32_t* avx512_scan_slice<3, true>(const double*, std::size_t, const std::uint32_t*,
                                                   std::size_t&, std::size_t, std::uint32_t,
                                                   const Vec<3>&, const Vec<3>&, double,
                                                   std::uint32_t*);

}  // namespace cohort::space
