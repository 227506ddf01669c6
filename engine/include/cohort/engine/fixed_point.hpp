#pragma once
// Fixed-point sums for results that must not depend on how the terms are split. Integers add
// associatively, so a sum of fixed-point terms is the same whatever the order, the thread
// partition or the MPI rank its terms were added on; double sums are not. AMBER's SPFP
// accumulates forces in 64-bit fixed point (2^-40 units) for the same reason.

#include <bit>
#include <cmath>
#include <cstdint>

namespace cohort::engine {

__extension__ using Int128 = __int128;  // GCC and clang; exact sums of up to 2^64 terms

/// Terms must stay below 2^51 units for round_fixed; callers check a bound and report overflow.
inline constexpr double kFixedTermLimit = 0x1p51;

/// A value already scaled to units (|scaled| < kFixedTermLimit) rounded to the nearest integer,
/// ties to even: adding 1.5 * 2^52 leaves the rounded integer in the low mantissa bits. One add
/// and one integer subtract, no conversion instruction (measured in lj_melt: the checked
/// cvttsd2si version halved the pair kernel's speed); rounding, unlike truncation, has no bias to
/// sum up over a million terms. Out of range it returns garbage bits, never undefined behaviour.
inline std::int64_t round_fixed(double scaled) {
  constexpr double kMagic = 0x1.8p52;
  return std::bit_cast<std::int64_t>(scaled + kMagic) - std::bit_cast<std::int64_t>(kMagic);
}

/// `value * unit` rounded; a term at or beyond kFixedTermLimit (or not finite) sets `overflow`
/// and counts 0. For sums outside the hottest loops.
inline std::int64_t to_fixed(double value, double unit, bool& overflow) {
  const double scaled = value * unit;
  const bool bad = !(std::abs(scaled) < kFixedTermLimit);
  overflow |= bad;
  return round_fixed(bad ? 0.0 : scaled);
}

/// A fixed-point sum back to a double (correctly rounded).
inline double from_fixed(Int128 sum, double unit) {
  return static_cast<double>(sum) / unit;
}

}  // namespace cohort::engine
