#pragma once
// lj_melt's fixed-point units over the engine's fixed-point sums (cohort/engine/fixed_point.hpp):
// forces, energies and virials add the same on any thread or rank count.

#include "cohort/engine/fixed_point.hpp"

namespace cohort::models::lj {

using engine::from_fixed;
using engine::Int128;
using engine::round_fixed;
using engine::to_fixed;

/// Force components in units of 2^-40 (resolution 9.1e-13).
inline constexpr double kForceUnit = 0x1p40;
/// Energies, virials and m v^2 in units of 2^-40 too: rounding errors of 4.5e-13 per term (a
/// coarser unit moved the benchmark's 8th printed digit).
inline constexpr double kSumUnit = 0x1p40;
static_assert(kSumUnit == kForceUnit, "one range check covers forces, energies and virials");
/// Terms must stay below 2^51 units (2048 in LJ units: a pair far closer than any at a sane
/// temperature) for round_fixed; callers check a bound per pair and report overflow.
inline constexpr double kTermLimit = engine::kFixedTermLimit;

}  // namespace cohort::models::lj
