// The half-list forces pass with AVX-512: each row's listed neighbours through PairLanes (eight
// at a time). Hand-written because GCC does not vectorise the scalar kernel (the gather of x[j]
// and scatter to f[j] through the list), and no library kernel computes LJ pairs into fixed
// point. Compiled for AVX-512 by a function attribute and chosen at run time, so the binary
// still runs on any x86-64; the lanes do what lj_forces.cpp's RowKernel does, in the same order,
// so both give the same bits.
#include <climits>

#include "lj_list_rows.hpp"
#include "lj_pair_lanes_avx512.hpp"

namespace cohort::models::lj {

#if defined(__x86_64__)

bool avx512_list_rows_usable(std::size_t points) {
  return __builtin_cpu_supports("avx512f") && points <= INT_MAX / 3;
}

namespace {

template <bool kSums>
COHORT_AVX512 void rows(const ListRows& in, std::uint32_t begin, std::uint32_t end,
                        ListTotals& out) {
  avx512::PairLanes<kSums> pairs(in, out.closest);
  for (std::uint32_t i = begin; i < end; ++i)
    pairs.row(i, in.nb + in.offsets[i], in.offsets[i + 1] - in.offsets[i], out);
  pairs.finish(out);
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
