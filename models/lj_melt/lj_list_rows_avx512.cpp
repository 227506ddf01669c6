// The half-list forces pass with AVX-512: eight of a row's neighbours at a time, their positions
// and forces gathered and the forces scattered back (a row's neighbours are distinct, so the
// lanes never collide). Hand-written because GCC does not vectorise the scalar kernel (the
// gather of x[j] and scatter to f[j] through the list), and no library kernel computes LJ pairs
// into fixed point. Compiled for AVX-512 by a function attribute and chosen at run time, so
// the binary still runs on any x86-64; the lanes do what lj_forces.cpp's RowKernel does, in
// the same order, so both give the same bits.
#include <algorithm>
#include <climits>

#include "lj_list_rows.hpp"

#if defined(__x86_64__)
// GCC 12 warns inside its own AVX-512 headers that the undefined upper half of a cast or
// reduction is "(maybe) used uninitialized" (GCC bug 105593): a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#endif

namespace cohort::models::lj {

#if defined(__x86_64__)

bool avx512_list_rows_usable(std::size_t points) {
  return __builtin_cpu_supports("avx512f") && points <= INT_MAX / 3;
}

namespace {

#define COHORT_AVX512 __attribute__((target("avx512f")))

// round_fixed on each lane: the 1.5 * 2^52 trick of fixed_point.hpp.
COHORT_AVX512 inline __m512i round_lanes(__m512d scaled) {
  const __m512d magic = _mm512_set1_pd(0x1.8p52);
  return _mm512_sub_epi64(_mm512_castpd_si512(_mm512_add_pd(scaled, magic)),
                          _mm512_castpd_si512(magic));
}

// RowKernel::image on each lane: both tests on the unwrapped separation.
COHORT_AVX512 inline __m512d image_lanes(__m512d d, __m512d half, __m512d length) {
  const __mmask8 above = _mm512_cmp_pd_mask(d, half, _CMP_GT_OQ);
  const __mmask8 below =
      _mm512_cmp_pd_mask(d, _mm512_sub_pd(_mm512_setzero_pd(), half), _CMP_LT_OQ);
  d = _mm512_mask_sub_pd(d, above, d, length);
  return _mm512_mask_add_pd(d, below, d, length);
}

template <bool kSums>
COHORT_AVX512 void rows(const ListRows& in, std::uint32_t begin, std::uint32_t end,
                        ListTotals& out) {
  const double* xs = &in.x[0][0];
  long long* fs = reinterpret_cast<long long*>(&in.f[0].v[0]);
  const __m512d cut2 = _mm512_set1_pd(in.cut2), one = _mm512_set1_pd(1.0);
  const __m512d lj1 = _mm512_set1_pd(LennardJones::lj1), lj2 = _mm512_set1_pd(LennardJones::lj2);
  const __m512d lj3 = _mm512_set1_pd(LennardJones::lj3), lj4 = _mm512_set1_pd(LennardJones::lj4);
  const __m512d force_unit = _mm512_set1_pd(kForceUnit), sum_unit = _mm512_set1_pd(kSumUnit);
  const __m512d hx = _mm512_set1_pd(in.half[0]), hy = _mm512_set1_pd(in.half[1]),
                hz = _mm512_set1_pd(in.half[2]);
  const __m512d lx = _mm512_set1_pd(in.length[0]), ly = _mm512_set1_pd(in.length[1]),
                lz = _mm512_set1_pd(in.length[2]);
  const __m512i owned = _mm512_set1_epi32(static_cast<int>(in.owned));
  __m512d closest = _mm512_set1_pd(out.closest);
  for (std::uint32_t i = begin; i < end; ++i) {
    const __m512d xi = _mm512_set1_pd(xs[3 * i]), yi = _mm512_set1_pd(xs[3 * i + 1]),
                  zi = _mm512_set1_pd(xs[3 * i + 2]);
    const bool owns_i = i < in.owned;
    __m512i fx = _mm512_setzero_si512(), fy = fx, fz = fx, energy = fx, virial = fx;
    const std::uint32_t last = in.offsets[i + 1];
    for (std::uint32_t e = in.offsets[i]; e < last; e += 8) {
      const __mmask8 lanes = static_cast<__mmask8>(0xFFu >> (8 - std::min(8u, last - e)));
      const __m512i j16 = _mm512_maskz_loadu_epi32(lanes, in.nb + e);
      const __m256i j3 = _mm512_castsi512_si256(_mm512_mullo_epi32(j16, _mm512_set1_epi32(3)));
      const __m512d zero = _mm512_setzero_pd();
      const __m512d dx =
          image_lanes(_mm512_sub_pd(xi, _mm512_mask_i32gather_pd(zero, lanes, j3, xs, 8)), hx, lx);
      const __m512d dy = image_lanes(
          _mm512_sub_pd(yi, _mm512_mask_i32gather_pd(zero, lanes, j3, xs + 1, 8)), hy, ly);
      const __m512d dz = image_lanes(
          _mm512_sub_pd(zi, _mm512_mask_i32gather_pd(zero, lanes, j3, xs + 2, 8)), hz, lz);
      const __m512d rsq = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                                        _mm512_mul_pd(dz, dz));
      const __m512d inside = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(rsq, cut2, _CMP_LT_OQ), one);
      const __m512d r2inv = _mm512_div_pd(one, rsq);
      const __m512d r6inv = _mm512_mul_pd(_mm512_mul_pd(r2inv, r2inv), r2inv);
      const __m512d forcelj = _mm512_mul_pd(r6inv, _mm512_sub_pd(_mm512_mul_pd(lj1, r6inv), lj2));
      const __m512d fpair = _mm512_mul_pd(_mm512_mul_pd(forcelj, r2inv), inside);
      closest = _mm512_mask_min_pd(closest, lanes, rsq, closest);  // std::min(closest, rsq)
      const __m512d fpair_units = _mm512_mul_pd(fpair, force_unit);
      const __m512i qx = _mm512_maskz_mov_epi64(lanes, round_lanes(_mm512_mul_pd(dx, fpair_units)));
      const __m512i qy = _mm512_maskz_mov_epi64(lanes, round_lanes(_mm512_mul_pd(dy, fpair_units)));
      const __m512i qz = _mm512_maskz_mov_epi64(lanes, round_lanes(_mm512_mul_pd(dz, fpair_units)));
      fx = _mm512_add_epi64(fx, qx);
      fy = _mm512_add_epi64(fy, qy);
      fz = _mm512_add_epi64(fz, qz);
      // j's forces by scalar read-modify-writes: on AMD's AVX-512 (Zen 4) a scatter costs more
      // than the eight stores it replaces.
      alignas(64) long long q[3][8];
      _mm512_store_si512(q[0], qx);
      _mm512_store_si512(q[1], qy);
      _mm512_store_si512(q[2], qz);
      const std::uint32_t count = std::min(8u, last - e);
      for (std::uint32_t l = 0; l < count; ++l) {
        long long* fj = fs + 3 * static_cast<std::size_t>(in.nb[e + l]);
        fj[0] -= q[0][l];
        fj[1] -= q[1][l];
        fj[2] -= q[2][l];
      }
      if constexpr (kSums) {
        // weight * term as one add per owned atom of the pair (weight is 0, 1 or 2).
        const __m512d e = _mm512_mul_pd(
            _mm512_mul_pd(r6inv, _mm512_sub_pd(_mm512_mul_pd(lj3, r6inv), lj4)), inside);
        const __m512i qe = round_lanes(_mm512_mul_pd(e, sum_unit));
        const __m512i qv = round_lanes(_mm512_mul_pd(fpair_units, rsq));
        const __mmask8 owns_j = lanes & static_cast<__mmask8>(_mm512_cmplt_epu32_mask(j16, owned));
        if (owns_i) {
          energy = _mm512_mask_add_epi64(energy, lanes, energy, qe);
          virial = _mm512_mask_add_epi64(virial, lanes, virial, qv);
        }
        energy = _mm512_mask_add_epi64(energy, owns_j, energy, qe);
        virial = _mm512_mask_add_epi64(virial, owns_j, virial, qv);
      }
    }
    fs[3 * i] += _mm512_reduce_add_epi64(fx);
    fs[3 * i + 1] += _mm512_reduce_add_epi64(fy);
    fs[3 * i + 2] += _mm512_reduce_add_epi64(fz);
    if constexpr (kSums) {
      out.energy2 += static_cast<std::int64_t>(_mm512_reduce_add_epi64(energy));
      out.virial2 += static_cast<std::int64_t>(_mm512_reduce_add_epi64(virial));
    }
  }
  out.closest = _mm512_reduce_min_pd(closest);
}

}  // namespace

template <bool kSums>
void avx512_list_rows(const ListRows& in, std::uint32_t begin, std::uint32_t end, ListTotals& out) {
  rows<kSums>(in, begin, end, out);
}

#else

bool avx512_list_rows_usable(std::size_t) {
  return false;
}

template <bool kSums>
void avx512_list_rows(const ListRows&, std::uint32_t, std::uint32_t, ListTotals&) {}

#endif

template void avx512_list_rows<false>(const ListRows&, std::uint32_t, std::uint32_t, ListTotals&);
template void avx512_list_rows<true>(const ListRows&, std::uint32_t, std::uint32_t, ListTotals&);

}  // namespace cohort::models::lj
