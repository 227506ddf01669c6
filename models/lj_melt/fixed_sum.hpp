#pragma once
// Fixed-point sums for results that must not depend on how the terms are split. Integers add
// associatively, so a sum of fixed-point terms is the same whatever the order, the thread
// partition or the MPI rank its terms were added on; double sums are not. AMBER's SPFP
// accumulates forces in 64-bit fixed point (2^-40 units) for the same reason.

#include <bit>
#include <cmath>
#include <cstdint>

namespace cohort::models::lj {

__extension__ using Int128 = __int128;  // GCC and clang; exact sums of up to 2^64 terms

/// Force components in units of 2^-40 (resolution 9.1e-13).
inline constexpr double kForceUnit = 0x1p40;
/// Energies, virials and m v^2 in units of 2^-40 too: rounding errors of 4.5e-13 per term (a
/// coarser unit moved the benchmark's 8th printed digit).
inline constexpr double kSumUnit = 0x1p40;
static_assert(kSumUnit == kForceUnit, "one range check covers forces, energies and virials");
/// Terms must stay below 2^51 units (2048 in LJ units: a pair far closer than any at a sane
/// temperature) for round_fixed; callers check a bound per pair and report overflow.
inline constexpr double kTermLimit = 0x1p51;

/// A value already scaled to units (|scaled| < kTermLimit) rounded to the nearest integer, ties
/// to even: adding 1.5 * 2^52 leaves the rounded integer in the low mantissa bits. One add and
/// one integer subtract, no conversion instruction (measured: the checked cvttsd2si version
/// halved the pair kernel's speed); rounding, unlike truncation, has no bias to sum up over a
/// million pairs. Out of range it returns garbage bits, never undefined behaviour.
inline std::int64_t round_fixed(double scaled) {
  constexpr double kMagic = 0x1.8p52;
  return std::bit_cast<std::int64_t>(scaled + kMagic) - std::bit_cast<std::int64_t>(kMagic);
}

/// `value * unit` rounded; a term at or beyond kTermLimit (or not finite) sets `overflow` and
/// counts 0. For sums outside hot loops.
inline std::int64_t to_fixed(double value, double unit, bool& overflow) {
  const double scaled = value * unit;
  const bool bad = !(std::abs(scaled) < kTermLimit);
  overflow |= bad;
  return round_fixed(bad ? 0.0 : scaled);
}

/// A fixed-point sum back to a double (correctly rounded).
inline double from_fixed(Int128 sum, double unit) {
  return static_cast<double>(sum) / unit;
}

}  // namespace cohort::models::lj
