#pragma once
// Fixed-point sums for results that must not depend on how the terms are split. Integers add
// associatively, so a sum of fixed-point terms is the same whatever the order, the thread
// partition or the MPI rank its terms were added on; double sums are not. AMBER's SPFP
// accumulates forces in 64-bit fixed point (2^-40 units) for the same reason.

#include <cmath>
#include <cstdint>

namespace cohort::models::lj {

__extension__ using Int128 = __int128;  // GCC and clang; exact sums of up to 2^64 terms

/// Force components in units of 2^-40 (resolution 9.1e-13).
inline constexpr double kForceUnit = 0x1p40;
/// Energies, virials and m v^2 in units of 2^-40 too: rounding errors of 4.5e-13 per term (a
/// coarser unit moved the benchmark's 8th printed digit).
inline constexpr double kSumUnit = 0x1p40;
/// Largest magnitude of one term, in units: 2^53, so a row may add 1024 terms without
/// overflowing 64 bits (a force or energy term of 8192 in LJ units: far beyond any physical pair).
inline constexpr double kTermLimit = 0x1p53;

/// `value * unit` rounded to an integer (half away from zero, off by one unit in rare ties:
/// always the same for the same value, and unbiased, unlike truncation, whose bias summed over
/// a million pairs moved printed digits); a term at or beyond kTermLimit (or not finite) sets
/// `overflow` and counts 0, so the conversion is always defined.
inline std::int64_t to_fixed(double value, double unit, bool& overflow) {
  const double scaled = value * unit;
  const bool bad = !(std::abs(scaled) < kTermLimit);
  overflow |= bad;
  return static_cast<std::int64_t>(bad ? 0.0 : scaled + std::copysign(0.5, scaled));
}

/// A fixed-point sum back to a double (correctly rounded).
inline double from_fixed(Int128 sum, double unit) {
  return static_cast<double>(sum) / unit;
}

}  // namespace cohort::models::lj
