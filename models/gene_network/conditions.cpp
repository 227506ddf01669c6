#include "conditions.hpp"

#include <cmath>

namespace cohort::models::gene_network {

const Conditions& ConditionSchedule::at(std::uint64_t generation) const {
  const Conditions* current = &initial;
  for (const ConditionChange& change : changes) {
    if (change.generation > generation) break;
    current = &change.conditions;
  }
  return *current;
}

double BaseExpression::operator()(const Conditions& conditions) const {
  const double c = conditions.tf_concentration;
  switch (rule) {
    case BaseRule::constant:
      return level;
    case BaseRule::linear:
      return clamp_level(slope * c + intercept);
    case BaseRule::hill: {
      // v_max * c^n / (k^n + c^n), evaluated in the reference's order. 0/0 (k^n and c^n both
      // underflowing) would raise in Python; it is 0 here.
      const double c_n = std::pow(c, n);
      const double k_n = std::pow(k, n);
      const double denominator = k_n + c_n;
      if (denominator == 0.0) return 0.0;
      return clamp_level(v_max * c_n / denominator);
    }
  }
  return 0.0;
}

}  // namespace cohort::models::gene_network
