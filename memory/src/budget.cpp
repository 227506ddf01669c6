#include "cohort/memory/budget.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace cohort::memory {

BudgetLimits BudgetLimits::from_hard(std::uint64_t hard, double soft_fraction,
                                     double low_water_fraction) {
  if (hard == 0 || hard > kMaxBytes)
    throw std::invalid_argument("hard budget must be between 1 and " + std::to_string(kMaxBytes) +
                                " bytes, got " + std::to_string(hard));
  if (!(soft_fraction > 0.0 && soft_fraction <= 1.0))
    throw std::invalid_argument("soft budget fraction must be in (0, 1], got " +
                                std::to_string(soft_fraction));
  if (!(low_water_fraction > 0.0 && low_water_fraction <= soft_fraction))
    throw std::invalid_argument("reclaim low-water fraction must be in (0, soft fraction], got " +
                                std::to_string(low_water_fraction));
  BudgetLimits limits;
  limits.hard = static_cast<std::uint32_t>(hard);
  limits.soft = static_cast<std::uint32_t>(std::floor(soft_fraction * static_cast<double>(hard)));
  limits.low_water =
      static_cast<std::uint32_t>(std::floor(low_water_fraction * static_cast<double>(hard)));
  return limits;
}

PopulationLimits PopulationLimits::from_hard(std::uint64_t hard, double soft_fraction) {
  if (hard == 0) throw std::invalid_argument("a population's hard budget must be at least 1 byte");
  if (!(soft_fraction > 0.0 && soft_fraction <= 1.0))
    throw std::invalid_argument("soft budget fraction must be in (0, 1], got " +
                                std::to_string(soft_fraction));
  PopulationLimits limits;
  limits.hard = hard;
  limits.soft = static_cast<std::uint64_t>(std::floor(soft_fraction * static_cast<double>(hard)));
  return limits;
}

}  // namespace cohort::memory
