#include "segregation.hpp"

#include "cohort/engine/activation_order.hpp"

#include <algorithm>

namespace cohort::models::schelling {

using engine::Row;
using space::CellIndex;

namespace {
constexpr std::uint16_t kPlaceStream = 0;
constexpr std::uint16_t kMoveStream = 1;
constexpr std::uint16_t kOrderStream = 2;
}  // namespace

Segregation::Segregation(engine::World& world, engine::Population& agents,
                         const space::GridSpaceSettings& grid, SegregationSettings settings)
    : agents_(&agents),
      settings_(settings),
      group_(agents.add_component<std::uint8_t>("group")),
      neighbourhood_(grid.shape(), grid.neighbourhood) {
  grid_.emplace(world.accountant(), agents, grid.shape(), space::Occupancy::single);
  group_at_.emplace(world.accountant(), agents, "schelling.group_at", grid.shape().cells(), 0);
}

void Segregation::sync_cells() {
  const auto group = agents_->column(group_);
  std::fill(group_at_->values().begin(), group_at_->values().end(), std::uint8_t{0});
  for (Row r = 0; r < agents_->size(); ++r)
    if (grid_->cell_of(r) != space::kNoCell) (*group_at_)[grid_->cell_of(r)] = group[r];
}

std::uint64_t Segregation::step(engine::World& world, std::uint64_t step) {
  engine::RandomStream shuffle =
      engine::RandomStream::for_population(world.seed(), agents_->index(), step, kOrderStream);
  engine::shuffle_rows(order_, agents_->size(), shuffle);
  std::uint64_t moved = 0;
  for (const Row r : order_) {
    // activate() inlined so a happy agent (most of them after a few steps) sets up no stream.
    if (neighbours(r).first >= settings_.min_to_be_happy) continue;
    engine::RandomStream rng(world.seed(), agents_->uid_at(r), step, kMoveStream);
    moved += relocate(r, rng) != space::kNoCell;
  }
  return moved;
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
    if (cell != space::kNoCell) {
      grid_->place(row, cell);
      (*group_at_)[cell] = first ? 1 : 2;
    }
  }
}

std::pair<std::uint32_t, std::uint32_t> Segregation::neighbours(Row row) const {
  const std::uint8_t mine = agents_->column(group_)[row];
  const auto at = group_at_->values();
  std::uint32_t same = 0, occupied = 0;
  neighbourhood_.for_each(grid_->cell_of(row), [&](CellIndex c) {
    occupied += at[c] != 0;
    same += at[c] == mine;
  });
  return {same, occupied};
}

Activation Segregation::activate(Row row, engine::RandomStream& rng) {
  const std::uint32_t same = neighbours(row).first;
  Activation a{row, same, space::kNoCell};
  if (same < settings_.min_to_be_happy) a.to = relocate(row, rng);
  return a;
}

CellIndex Segregation::relocate(Row row, engine::RandomStream& rng) {
  const CellIndex to = grid_->random_empty(rng);  // its own cell is taken, so it always relocates
  if (to != space::kNoCell) {
    (*group_at_)[grid_->cell_of(row)] = 0;
    grid_->move(row, to);
    (*group_at_)[to] = agents_->column(group_)[row];
  }
  return to;
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
