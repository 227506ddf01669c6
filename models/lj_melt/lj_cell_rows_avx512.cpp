// The cell forces pass with AVX-512, for runs without a neighbour list. A row's candidates are
// the rows after it in its bin and those of the 13 bins of its forward half stencil (the bins
// of the last build), read sixteen at a time from float copies of the coordinates in bin order,
// now and at the build (bin_coordinates()). A candidate goes on when it may lie within the
// cutoff now and, at the build, lay within the range: what the list that build would have made
// holds. Both tests have a margin well above float rounding; the few candidates whose build
// separation lies within the margin of the range are decided exactly, as the list build
// computes it. The pairs kept go through PairLanes like a listed row's neighbours (those beyond
// the cutoff add 0). So this pass gives the list pass's bits, pairs missed by a late rebuild
// included, without storing a list (at 1M atoms the list is 167 of the 320 bytes per atom).
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <vector>

#include "lj_cell_stencil.hpp"
#include "lj_list_rows.hpp"
#include "lj_pair_lanes_avx512.hpp"

namespace cohort::models::lj {

#if defined(__x86_64__)

bool avx512_cell_rows_usable(std::size_t points) {
  return __builtin_cpu_supports("avx512f") && points <= INT_MAX / 3;
}

namespace {

// Slot ranges of a row's candidates, each with the shift of its bins' image: adjacent ranges of
// one shift joined (along axis 0 the bins of a stencil row are consecutive, so a row has five
// ranges away from the box's faces).
struct Slices {
  std::array<std::uint32_t, 14> begin, end;
  std::array<std::array<double, 3>, 14> shift;
  int count = 0;
  void add(std::uint32_t b, std::uint32_t e, const std::array<double, 3>& by) {
    if (b == e) return;
    if (count > 0 && end[count - 1] == b && shift[count - 1] == by) {
      end[count - 1] = e;
      return;
    }
    begin[count] = b;
    end[count] = e;
    shift[count] = by;
    ++count;
  }
};

// The float copies (x, y, z of every slot, now then at the build) and the tests' limits on r^2.
struct Floats {
  const float* now[3];
  const float* built[3];
  __m512 cutoff;           // within it now: may be a pair within the cutoff
  __m512 inside, outside;  // at the build: surely within the range, surely beyond it
};

// The row's point (now and at the build) less a range's shift: the image the build took,
// which holds until the next build (positions are wrapped at builds only).
struct Point {
  __m512 now[3], built[3];
};

// Over slots [b, e): appends the rows kept to `kept` and those to decide exactly to `unsure`
// (each with room for e - b + 16 more); advances both.
COHORT_AVX512 inline void candidates(const Floats& f, const std::uint32_t* rows, std::uint32_t b,
                                     std::uint32_t e, const Point& p, std::uint32_t*& kept,
                                     std::uint32_t*& unsure) {
  for (std::uint32_t m = b; m < e; m += 16) {
    const auto lanes = static_cast<__mmask16>(0xFFFFu >> (16 - std::min(16u, e - m)));
    __m512 r2 = _mm512_setzero_ps(), b2 = r2;
    for (int a = 0; a < 3; ++a) {
      const __m512 d = _mm512_sub_ps(p.now[a], _mm512_maskz_loadu_ps(lanes, f.now[a] + m));
      const __m512 o = _mm512_sub_ps(p.built[a], _mm512_maskz_loadu_ps(lanes, f.built[a] + m));
      // Fused: these floats only pick candidates (the margins cover either rounding).
      r2 = _mm512_fmadd_ps(d, d, r2);
      b2 = _mm512_fmadd_ps(o, o, b2);
    }
    const __mmask16 near = lanes & _mm512_cmp_ps_mask(r2, f.cutoff, _CMP_LT_OQ);
    const __mmask16 in = near & _mm512_cmp_ps_mask(b2, f.inside, _CMP_LT_OQ);
    const __mmask16 maybe = near & ~in & _mm512_cmp_ps_mask(b2, f.outside, _CMP_LE_OQ);
    const __m512i j = _mm512_maskz_loadu_epi32(lanes, rows + m);
    // Compresses in registers and full stores (the buffers have the slack): on Zen 4 a
    // compress straight to memory is microcoded and slow.
    _mm512_storeu_si512(kept, _mm512_maskz_compress_epi32(in, j));
    kept += __builtin_popcount(in);
    if (maybe != 0) {
      _mm512_storeu_si512(unsure, _mm512_maskz_compress_epi32(maybe, j));
      unsure += __builtin_popcount(maybe);
    }
  }
}

template <bool kSums>
COHORT_AVX512 void cell_rows(const ListRows& in, const CellRows& cells, std::uint32_t first,
                             std::uint32_t last, ListTotals& out) {
  avx512::PairLanes<kSums> lanes(in, out.closest);
  const space::CellList<3>& bins = *cells.cells;
  const std::span<const std::uint32_t> start = bins.bin_starts();
  const std::uint32_t* rows = bins.bin_rows().data();
  const std::size_t n = bins.bin_rows().size();
  Floats f{};
  for (int a = 0; a < 3; ++a) {
    f.now[a] = cells.coords + a * n;
    f.built[a] = cells.coords + (3 + a) * n;
  }
  // Float rounding moves a coordinate (within a skin of the box, so below twice its length) by
  // at most half an ulp, a separation by about four of those along an axis: the limits widen
  // (or narrow) the radii by eight, and round outwards.
  double widest = 0;
  for (int a = 0; a < 3; ++a)
    widest = std::max(widest, in.length[a]);
  const double slack = 8 * std::ldexp(widest, -23);
  const double cut = std::sqrt(in.cut2) + slack, range = std::sqrt(cells.range2);
  f.cutoff = _mm512_set1_ps(static_cast<float>(cut * cut * (1 + 1e-6)));
  f.inside = _mm512_set1_ps(static_cast<float>((range - slack) * (range - slack) * (1 - 1e-6)));
  f.outside = _mm512_set1_ps(static_cast<float>((range + slack) * (range + slack) * (1 + 1e-6)));
  const Vec3* built = cells.built;
  std::vector<std::uint32_t> kept, unsure;
  for (std::uint32_t c = first; c < last; ++c) {
    const std::uint32_t b = start[c], e = start[c + 1];
    if (b == e) continue;
    Slices s;
    s.add(b, e, {0, 0, 0});  // the own bin: each row takes the slots after its own
    std::size_t most = e - b;
    for (const StencilBin& sb : forward_stencil(bins, c)) {
      s.add(start[sb.cell], start[sb.cell + 1], sb.shift);
      most += start[sb.cell + 1] - start[sb.cell];
    }
    if (kept.size() < most + 16) kept.resize(most + 16), unsure.resize(most + 16);
    for (std::uint32_t k = b; k < e; ++k) {
      std::uint32_t* kept_end = kept.data();
      std::uint32_t* unsure_end = unsure.data();
      for (int r = 0; r < s.count; ++r) {
        Point p;
        for (int a = 0; a < 3; ++a) {
          const auto by = static_cast<float>(s.shift[r][a]);
          p.now[a] = _mm512_set1_ps(f.now[a][k] - by);
          p.built[a] = _mm512_set1_ps(f.built[a][k] - by);
        }
        candidates(f, rows, r == 0 ? k + 1 : s.begin[r], s.end[r], p, kept_end, unsure_end);
      }
      const std::uint32_t i = rows[k];
      // Exactly as the list build: with at least 4 bins along an axis a separation within the
      // range is within a quarter box, so the minimum image is the shift the build adds, bit
      // for bit (lj_cell_stencil.hpp).
      for (const std::uint32_t* u = unsure.data(); u != unsure_end; ++u) {
        double d2 = 0;
        for (int a = 0; a < 3; ++a) {
          double d = built[*u][a] - built[i][a];
          d = d > in.half[a] ? d - in.length[a] : (d < -in.half[a] ? d + in.length[a] : d);
          d2 = a == 0 ? d * d : d2 + d * d;
        }
        if (d2 <= cells.range2) *kept_end++ = *u;
      }
      lanes.row(i, kept.data(), static_cast<std::uint32_t>(kept_end - kept.data()), out);
    }
  }
  lanes.finish(out);
}

}  // namespace

template <bool kSums>
void avx512_cell_rows(const ListRows& in, const CellRows& cells, std::uint32_t first,
                      std::uint32_t last, ListTotals& out) {
  cell_rows<kSums>(in, cells, first, last, out);
}

#else

bool avx512_cell_rows_usable(std::size_t) {
  return false;
}

template <bool kSums>
void avx512_cell_rows(const ListRows&, const CellRows&, std::uint32_t, std::uint32_t, ListTotals&) {
}

#endif

template void avx512_cell_rows<false>(const ListRows&, const CellRows&, std::uint32_t,
                                      std::uint32_t, ListTotals&);
template void avx512_cell_rows<true>(const ListRows&, const CellRows&, std::uint32_t, std::uint32_t,
                                     ListTotals&);

}  // namespace cohort::models::lj
