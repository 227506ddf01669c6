#pragma once
// One row's pairs with AVX-512, eight neighbours at a time: their positions and forces gathered
// and the forces scattered back (a row's neighbours are distinct, so the lanes never collide).
// Shared by the list pass (lj_list_rows_avx512.cpp) and the cell pass (lj_cell_rows_avx512.cpp),
// both compiled with -ffp-contract=off: the lanes do what lj_forces.cpp's RowKernel does, in
// the same order, so every pass gives the same bits. Include only from those two files.
#if defined(__x86_64__)

#include <algorithm>
#include <cstdint>

// GCC 12 warns inside its own AVX-512 headers that the undefined upper half of a cast or
// reduction is "(maybe) used uninitialized" (GCC bug 105593): a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "lj_list_rows.hpp"

#define COHORT_AVX512 __attribute__((target("avx512f")))

namespace cohort::models::lj::avx512 {

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

/// Eight points' coordinates, one vector per axis.
struct Coordinates {
  __m512d x, y, z;
};

/// The points at rows[0 .. used) (zero beyond): each point's three coordinates by one masked
/// load, then transposed. On Zen 4 this is faster than three gathers, which are microcoded.
COHORT_AVX512 inline Coordinates load_points(const double* xs, const std::uint32_t* rows,
                                             std::uint32_t used) {
  const __m256i xyz = _mm256_setr_epi64x(-1, -1, -1, 0);  // never the next point's x
  __m256d p[8];
  for (std::uint32_t l = 0; l < 8; ++l)
    p[l] = l < used ? _mm256_maskload_pd(xs + 3 * static_cast<std::size_t>(rows[l]), xyz)
                    : _mm256_setzero_pd();
  // Pairs of points in one vector: (x0 y0 z0 - x1 y1 z1 -), ...
  __m512d q[4];
  for (int h = 0; h < 4; ++h)
    q[h] = _mm512_insertf64x4(_mm512_castpd256_pd512(p[2 * h]), p[2 * h + 1], 1);
  Coordinates c;
  __m512d* out[3] = {&c.x, &c.y, &c.z};
  for (int a = 0; a < 3; ++a) {
    // Points 0-3 and 4-7 of axis a in the low halves, then joined.
    const __m512i pick = _mm512_setr_epi64(a, a + 4, a + 8, a + 12, 0, 0, 0, 0);
    const __m512d low = _mm512_permutex2var_pd(q[0], pick, q[1]);
    const __m512d high = _mm512_permutex2var_pd(q[2], pick, q[3]);
    *out[a] = _mm512_shuffle_f64x2(low, high, 0x44);
  }
  return c;
}

/// The pass's constants in registers, and the pairs of one row at a time.
template <bool kSums>
struct PairLanes {
  const double* xs;
  long long* fs;
  __m512d cut2, one, lj1, lj2, lj3, lj4, force_unit, sum_unit, hx, hy, hz, lx, ly, lz;
  __m512i owned;
  std::uint32_t owned_rows;
  __m512d closest;

  COHORT_AVX512 explicit PairLanes(const ListRows& in, double closest_so_far)
      : xs(&in.x[0][0]),
        fs(reinterpret_cast<long long*>(&in.f[0].v[0])),
        cut2(_mm512_set1_pd(in.cut2)),
        one(_mm512_set1_pd(1.0)),
        lj1(_mm512_set1_pd(LennardJones::lj1)),
        lj2(_mm512_set1_pd(LennardJones::lj2)),
        lj3(_mm512_set1_pd(LennardJones::lj3)),
        lj4(_mm512_set1_pd(LennardJones::lj4)),
        force_unit(_mm512_set1_pd(kForceUnit)),
        sum_unit(_mm512_set1_pd(kSumUnit)),
        hx(_mm512_set1_pd(in.half[0])),
        hy(_mm512_set1_pd(in.half[1])),
        hz(_mm512_set1_pd(in.half[2])),
        lx(_mm512_set1_pd(in.length[0])),
        ly(_mm512_set1_pd(in.length[1])),
        lz(_mm512_set1_pd(in.length[2])),
        owned(_mm512_set1_epi32(static_cast<int>(in.owned))),
        owned_rows(in.owned),
        closest(_mm512_set1_pd(closest_so_far)) {}

  /// Row i's pairs with the `count` rows at nb; its force is added, its neighbours' subtracted.
  COHORT_AVX512 void row(std::uint32_t i, const std::uint32_t* nb, std::uint32_t count,
                         ListTotals& out) {
    const __m512d xi = _mm512_set1_pd(xs[3 * i]), yi = _mm512_set1_pd(xs[3 * i + 1]),
                  zi = _mm512_set1_pd(xs[3 * i + 2]);
    const bool owns_i = i < owned_rows;
    __m512i fx = _mm512_setzero_si512(), fy = fx, fz = fx, energy = fx, virial = fx;
    for (std::uint32_t e = 0; e < count; e += 8) {
      const std::uint32_t lanes_used = std::min(8u, count - e);
      const __mmask8 lanes = static_cast<__mmask8>(0xFFu >> (8 - lanes_used));
      const __m512i j16 = _mm512_maskz_loadu_epi32(lanes, nb + e);
      const Coordinates c = load_points(xs, nb + e, lanes_used);
      const __m512d dx = image_lanes(_mm512_sub_pd(xi, c.x), hx, lx);
      const __m512d dy = image_lanes(_mm512_sub_pd(yi, c.y), hy, ly);
      const __m512d dz = image_lanes(_mm512_sub_pd(zi, c.z), hz, lz);
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
      for (std::uint32_t l = 0; l < lanes_used; ++l) {
        long long* fj = fs + 3 * static_cast<std::size_t>(nb[e + l]);
        fj[0] -= q[0][l];
        fj[1] -= q[1][l];
        fj[2] -= q[2][l];
      }
      if constexpr (kSums) {
        // weight * term as one add per owned atom of the pair (weight is 0, 1 or 2).
        const __m512d en = _mm512_mul_pd(
            _mm512_mul_pd(r6inv, _mm512_sub_pd(_mm512_mul_pd(lj3, r6inv), lj4)), inside);
        const __m512i qe = round_lanes(_mm512_mul_pd(en, sum_unit));
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

  COHORT_AVX512 void finish(ListTotals& out) const { out.closest = _mm512_reduce_min_pd(closest); }
};

}  // namespace cohort::models::lj::avx512

#endif
