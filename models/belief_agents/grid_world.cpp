#include "grid_world.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cohort/space/grid/grid_shape.hpp"

namespace cohort::models::belief {

std::vector<std::uint8_t> parse_map(const std::string& text, std::uint32_t& width,
                                    std::uint32_t& height, std::uint32_t levels) {
  std::vector<std::uint8_t> types;
  width = 0;
  height = 0;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    line_start = line_end + 1;
    if (line.empty()) continue;
    ++height;
    if (width == 0) width = static_cast<std::uint32_t>(line.size());
    if (line.size() != width)
      throw std::invalid_argument("map line " + std::to_string(height) + " has " +
                                  std::to_string(line.size()) + " cells; expected " +
                                  std::to_string(width));
    for (std::size_t c = 0; c < line.size(); ++c) {
      const int t = line[c] - '0';
      if (t < 0 || t >= static_cast<int>(levels))
        throw std::invalid_argument("map line " + std::to_string(height) + " column " +
                                    std::to_string(c + 1) + ": '" + line[c] +
                                    "' is not a cell type 0.." + std::to_string(levels - 1));
      types.push_back(static_cast<std::uint8_t>(t));
    }
  }
  if (types.empty()) throw std::invalid_argument("map is empty");
  return types;
}

GridWorld::GridWorld(GridSpec spec)
    : width_(spec.width),
      levels_(spec.levels),
      hit_(1.0 - spec.likelihood_noise),
      miss_(spec.likelihood_noise / static_cast<double>(spec.levels - 1)),
      types_(std::move(spec.types)),
      column_sums_(spec.levels, 0.0) {
  const std::uint32_t W = spec.width, H = spec.height;
  if (types_.size() != std::size_t{W} * H)
    throw std::invalid_argument("grid types do not match width * height");
  auto is_blocked = [&](std::size_t s) {
    return std::find(spec.blocked.begin(), spec.blocked.end(), types_[s]) != spec.blocked.end();
  };
  transitions_.resize(types_.size() * kActions);
  // The grid space gives each action's target cell: up = y - 1, down = y + 1, left = x - 1,
  // right = x + 1 on a bounded grid, where a step beyond the edge (kNoCell) or onto an obstacle
  // stays.
  const space::GridShape shape = space::GridShape::plane(W, H, false);
  constexpr space::Coord kStep[4] = {{0, -1, 0}, {0, 1, 0}, {-1, 0, 0}, {1, 0, 0}};
  for (space::CellIndex s = 0; s < types_.size(); ++s) {
    for (std::size_t a = 0; a < 4; ++a) {
      const space::CellIndex target = shape.offset(s, kStep[a]);
      const bool legal = target != space::kNoCell && !is_blocked(target);
      transitions_[s * kActions + a] =
          legal ? Transition{target, spec.move_success} : Transition{s, 0.0};
    }
    transitions_[s * kActions + kStay] = {s, 0.0};
  }
  const double cut = std::exp(-16.0);
  negative_ambiguity_ = hit_ * std::log(hit_ + cut) +
                        static_cast<double>(levels_ - 1) * (miss_ * std::log(miss_ + cut));
  for (std::size_t s = 0; s < types_.size(); ++s)
    for (std::size_t o = 0; o < levels_; ++o)
      column_sums_[o] += likelihood(o, s);
}

std::vector<double> GridWorld::dense_a() const {
  const std::size_t S = states();
  std::vector<double> A(levels_ * S);
  for (std::size_t o = 0; o < levels_; ++o)
    for (std::size_t s = 0; s < S; ++s)
      A[o * S + s] = likelihood(o, s);
  return A;
}

std::vector<double> GridWorld::dense_b() const {
  const std::size_t S = states();
  std::vector<double> B(S * S * kActions, 0.0);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t a = 0; a < kActions; ++a) {
      const Transition& t = transition(s, a);
      B[(t.target * S + s) * kActions + a] += t.move;
      B[(s * S + s) * kActions + a] += 1.0 - t.move;
    }
  return B;
}

std::size_t GridWorld::shared_bytes() const {
  return types_.size() * sizeof(std::uint8_t) + transitions_.size() * sizeof(Transition) +
         column_sums_.size() * sizeof(double);
}

}  // namespace cohort::models::belief
