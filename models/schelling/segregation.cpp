#include "segregation.hpp"

namespace cohort::models::schelling {

using engine::Row;
using space::CellIndex;

namespace {
constexpr std::uint16_t kPlaceStream = 0;
}

Segregation::Segregation(engine::World& world, engine::Population& agents,
                         const space::GridSpaceSettings& grid, SegregationSettings settings)
    : agents_(&agents),
      settings_(settings),
      group_(agents.add_component<std::uint8_t>("group")),
      neighbourhood_(grid.shape(), grid.neighbourhood) {
  grid_.emplace(world.accountant(), agents, grid.shape(), space::Occupancy::single);
}

void Segregation::populate(engine::World& world, std::uint64_t count) {
  agents_->reserve(count);
  const std::uint64_t half = count / 2;
  for (std::uint64_t n = 1; n <= count; ++n) {
    const Row row = agents_->row_of(agents_->create());
    const bool first = settings_.split == GroupSplit::agents_jl ? 2 * n < count : n <= half;
    agents_->column(group_)[row] = first ? 1 : 2;
    engine::RandomStream rng(world.seed(), agents_->uid_at(row), ~0ull, kPlaceStream);
    const CellIndex cell = grid_->random_empty(rng);
    if (cell != space::kNoCell) grid_->place(row, cell);
  }
}

std::pair<std::uint32_t, std::uint32_t> Segregation::neighbours(Row row) const {
  const auto group = agents_->column(group_);
  const std::uint8_t mine = group[row];
  std::uint32_t same = 0, occupied = 0;
  neighbourhood_.for_each(grid_->cell_of(row), [&](CellIndex c) {
    const Row other = grid_->first(c);
    if (other == engine::AgentIndex::kNoRow) return;
    ++occupied;
    same += group[other] == mine;
  });
  return {same, occupied};
}

Activation Segregation::activate(Row row, engine::RandomStream& rng) {
  const std::uint32_t same = neighbours(row).first;
  Activation a{row, same, space::kNoCell};
  if (same >= settings_.min_to_be_happy) return a;
  a.to = grid_->random_empty(rng);  // its own cell is taken, so it always relocates
  if (a.to != space::kNoCell) grid_->move(row, a.to);
  return a;
}

SegregationStats Segregation::stats(engine::World& world) const {
  struct Sums {
    double happy = 0, share = 0, counted = 0;
  };
  const Sums s = world.reduce(
      agents_->size(), Sums{},
      [&](Row b, Row e) {
        Sums acc;
        for (Row r = b; r < e; ++r) {
          const auto [same, occupied] = neighbours(r);
          acc.happy += same >= settings_.min_to_be_happy;
          if (occupied > 0) {
            acc.share += static_cast<double>(same) / occupied;
            acc.counted += 1;
          }
        }
        return acc;
      },
      [](Sums a, const Sums& b) {
        a.happy += b.happy, a.share += b.share, a.counted += b.counted;
        return a;
      });
  const double n = static_cast<double>(agents_->size());
  return {n > 0 ? s.happy / n : 0.0, s.counted > 0 ? s.share / s.counted : 0.0};
}

}  // namespace cohort::models::schelling
