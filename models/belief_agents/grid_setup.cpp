#include "grid_setup.hpp"

#include "cohort/engine/random_stream.hpp"

namespace cohort::models::belief {

namespace {
// Population-wide stream for the map (agents use streams 0..3 keyed by their ids).
constexpr std::uint16_t kMapStream = 16;
}  // namespace

std::unique_ptr<GridWorld> make_grid(const Settings& s, std::uint64_t seed,
                                     std::uint16_t population) {
  GridSpec spec;
  spec.levels = s.levels;
  spec.likelihood_noise = s.likelihood_noise;
  spec.move_success = s.move_success;
  spec.blocked = s.obstacles;
  if (!s.map.empty()) {
    spec.types = parse_map(s.map, spec.width, spec.height, s.levels);
  } else {
    spec.width = s.width;
    spec.height = s.height;
    double total = 0;
    for (double d : s.densities)
      total += d;
    engine::RandomStream rng =
        engine::RandomStream::for_population(seed, population, 0, kMapStream);
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
  return std::make_unique<GridWorld>(std::move(spec));
}

}  // namespace cohort::models::belief
