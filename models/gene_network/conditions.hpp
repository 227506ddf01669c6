#pragma once
// The environment of a generation, its schedule, and the base expression and regulation rules
// that turn it (and a gene's transcription factor input) into an expression level.

#include <cstdint>
#include <vector>

namespace cohort::models::gene_network {

/// Environmental conditions (happygene's Conditions, with its defaults).
struct Conditions {
  double tf_concentration = 0.0;
  double temperature = 37.0;
  double nutrients = 1.0;
};

/// Conditions from a generation on.
struct ConditionChange {
  std::uint64_t generation = 0;
  Conditions conditions;
};

/// The initial conditions and the changes to them, by increasing generation.
struct ConditionSchedule {
  Conditions initial;
  std::vector<ConditionChange> changes;

  /// The conditions in force during generation `generation` (the step run from that step count):
  /// the last change at or before it, else the initial ones.
  const Conditions& at(std::uint64_t generation) const;
};

/// How the base value b is computed from the conditions.
enum class BaseRule : std::uint8_t { constant, linear, hill };

/// The base expression rule and its parameters.
struct BaseExpression {
  BaseRule rule = BaseRule::linear;
  double level = 1.0;                    ///< constant
  double slope = 1.0, intercept = 0.5;   ///< linear
  double v_max = 1.0, k = 0.5, n = 2.0;  ///< hill

  /// b for `conditions`, always >= 0.
  double operator()(const Conditions& conditions) const;
};

/// How transcription factor input modulates b.
enum class RegulationRule : std::uint8_t { none, additive, multiplicative };

/// A regulation rule and its weight w.
struct Regulation {
  RegulationRule rule = RegulationRule::none;
  double weight = 1.0;
};

/// max(0, v) exactly as the reference's max(0.0, v): NaN and -0 become +0.
template <class T>
inline T clamp_level(T v) {
  return v > T(0) ? v : T(0);
}

/// R(b, tf) before clamping: b + w * tf (additive) or b * (1 + w * tf) (multiplicative), with the
/// reference's order of operations; b itself for no rule. `tf` may be a SIMD vector of T.
template <RegulationRule Rule, class T, class V = T>
inline V regulate(T base, T weight, V tf) {
  if constexpr (Rule == RegulationRule::additive) return base + weight * tf;
  if constexpr (Rule == RegulationRule::multiplicative) return base * (T(1) + weight * tf);
  return V{} + base;
}

}  // namespace cohort::models::gene_network
