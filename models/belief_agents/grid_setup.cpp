#include "grid_setup.hpp"

#include <algorithm>
#include <stdexcept>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/random_stream.hpp"

namespace cohort::models::belief {

namespace {
// Population-wide stream for the map (agents use streams 0..3 keyed by their ids).
constexpr std::uint16_t kMapStream = 16;
}  // namespace

void cell_types(const Settings& s, std::uint64_t seed, std::uint16_t population, GridSpec& spec) {
  if (!s.map.empty()) {
    spec.types = parse_map(s.map, spec.width, spec.height, s.levels);
    return;
  }
  spec.width = s.width;
  spec.height = s.height;
  double total = 0;
  for (double d : s.densities)
    total += d;
  engine::RandomStream rng = engine::RandomStream::for_population(seed, population, 0, kMapStream);
  spec.types.resize(std::size_t{s.width} * s.height);
  for (std::uint8_t& t : spec.types) {
    const double u = rng.uniform() * total;
    double acc = 0;
    t = static_cast<std::uint8_t>(s.levels - 1);
    for (std::uint32_t k = 0; k + 1 < s.levels; ++k)
      if (u < (acc += s.densities[k])) {
        t = static_cast<std::uint8_t>(k);
        break;
      }
  }
}

std::unique_ptr<GridWorld> make_grid(const Settings& s, std::uint64_t seed,
                                     std::uint16_t population) {
  GridSpec spec;
  spec.levels = s.levels;
  spec.likelihood_noise = s.likelihood_noise;
  spec.move_success = s.move_success;
  spec.blocked = s.obstacles;
  cell_types(s, seed, population, spec);
  return std::make_unique<GridWorld>(std::move(spec));
}

void check_grid(const Settings& s, const engine::ConfigValue& parameters, std::uint64_t seed,
                std::uint16_t population, std::uint64_t agents) {
  GridSpec spec;
  try {
    cell_types(s, seed, population, spec);
  } catch (const std::invalid_argument& e) {
    const engine::ConfigValue& map = parameters.at("map");
    throw engine::ConfigError(map.location(), map.path(),
                              "one digit 0.." + std::to_string(s.levels - 1) +
                                  " per cell, every line as long as the first",
                              e.what());
  }
  if (agents == 0) return;
  for (std::uint8_t t : spec.types)
    if (std::find(s.obstacles.begin(), s.obstacles.end(), t) == s.obstacles.end()) return;
  const engine::ConfigValue& obstacles = parameters.at("obstacles");
  throw engine::ConfigError(obstacles.location(), obstacles.path(),
                            "obstacles that leave at least one cell of the " +
                                std::string(s.map.empty() ? "generated" : "given") +
                                " map open for the agents",
                            "every cell is an obstacle");
}

}  // namespace cohort::models::belief
