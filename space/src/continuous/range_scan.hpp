#pragma once
// The neighbour list build's inner scan with AVX-512 (range_scan_avx512.cpp): eight candidates
// of a contiguous slice of the bin-ordered positions at a time, those in range compressed into
// the list in slice order. Same candidates, same arithmetic and order as the portable scan
// (neighbour_list.cpp), so the same list.

#include <cstddef>
#include <cstdint>

#include "cohort/space/continuous/box.hpp"

namespace cohort::space {

/// Whether avx512_scan_slice can run on this CPU (AVX-512F and VL).
bool avx512_range_scan_usable();

/// Scans slots [k, end) of the bin-ordered copy (`soa`: axis a at soa + a * stride) eight at a
/// time, appending at `out` the rows whose squared separation (xj - xi) + shift is <= r2 (and,
/// with kSkip, that are not `skip`); writes up to 8 entries past the returned end, within the
/// room made for every candidate. Returns the new end and leaves `k` at the first slot not
/// scanned (fewer than 8 remain), for the portable scan to finish.
template <int D, bool kSkip>
std::uint32_t* avx512_scan_slice(const double* soa, std::size_t stride, const std::uint32_t* rows,
                                 std::size_t& k, std::size_t end, std::uint32_t skip,
                                 const Vec<D>& xi, const Vec<D>& shift, double r2,
                                 std::uint32_t* out);

}  // namespace cohort::space
