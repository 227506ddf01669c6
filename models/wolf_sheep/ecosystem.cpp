#include "ecosystem.hpp"

#include <algorithm>

#include "cohort/engine/random_stream.hpp"

namespace cohort::models::wolf_sheep {

using engine::AgentId;
using engine::Row;
using space::CellIndex;

namespace {
constexpr std::uint16_t kInitStream = 0;
constexpr std::uint16_t kActStream = 1;
constexpr std::uint16_t kOrderStream = 2;
constexpr std::uint16_t kGrassStream = 3;
constexpr std::uint16_t kTypeStream = 4;
}  // namespace

Ecosystem::Ecosystem(engine::World& world, engine::Population& sheep, engine::Population& wolves,
                     const space::GridSpaceSettings& grid, EcosystemSettings settings)
    : settings_(settings),
      shape_(grid.shape()),
      moves_(shape_, space::NeighbourhoodSpec::moore(1)),
      pops_{&sheep, &wolves} {
  for (const Species s : {kSheep, kWolf}) {
    energy_[s] = pops_[s]->add_component<double>("energy");
    grids_[s].emplace(world.accountant(), *pops_[s], shape_, space::Occupancy::multiple);
  }
  grown_.emplace(world.accountant(), sheep, "wolf_sheep.grass_grown", shape_.cells(), 0);
  countdown_.emplace(world.accountant(), sheep, "wolf_sheep.grass_countdown", shape_.cells(), 0);
}

void Ecosystem::populate(engine::World& world, std::uint64_t sheep, std::uint64_t wolves) {
  const std::uint64_t counts[2] = {sheep, wolves};
  for (const Species s : {kSheep, kWolf}) {
    engine::Population& pop = *pops_[s];
    pop.reserve(counts[s]);
    const auto energy_range =
        std::max<std::uint32_t>(1, static_cast<std::uint32_t>(2 * settings_.species[s].gain));
    for (std::uint64_t i = 0; i < counts[s]; ++i) {
      const Row row = pop.row_of(pop.create());
      engine::RandomStream rng(world.seed(), pop.uid_at(row), ~0ull, kInitStream);
      pop.column(energy_[s])[row] = rng.below(energy_range);
      grids_[s]->place(row, rng.below(static_cast<std::uint32_t>(shape_.cells())));
    }
  }
  const std::int32_t R = settings_.regrowth;
  const std::uint64_t seed = world.seed();
  const std::uint16_t owner = pops_[kSheep]->index();
  space::for_each_cell_block(world, shape_.cells(), [&](CellIndex b, CellIndex e) {
    engine::RandomStream rng =
        engine::RandomStream::for_population(seed, owner, b / space::kCellBlock, kGrassStream);
    for (CellIndex c = b; c < e; ++c) {
      const bool grown = rng.below(2) == 1;
      (*grown_)[c] = grown ? 1 : 0;
      (*countdown_)[c] =
          grown ? R : static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(R)));
    }
  });
}

void Ecosystem::order(Species s, std::uint64_t seed, std::uint64_t step,
                      std::vector<AgentId>& out) {
  // A fresh uniform permutation each step: Fisher-Yates over the rows with the population's
  // stream for this step. Rows are the same on any thread count and after a resume (births are
  // made in activation order, checkpoints restore rows), so the order is too; a shuffle costs a
  // fraction of sorting keyed hashes (measured: the sort was a quarter of a large run).
  const engine::Population& pop = *pops_[s];
  out.resize(pop.size());
  for (Row r = 0; r < pop.size(); ++r)
    out[r] = pop.id_at(r);
  engine::RandomStream rng =
      engine::RandomStream::for_population(seed, pop.index(), step, kOrderStream);
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[rng.below(static_cast<std::uint32_t>(i))]);
}

void Ecosystem::animals(engine::World& world, std::uint64_t step) {
  last_ = PhaseCounts{};
  const std::uint64_t seed = world.seed();
  order(kSheep, seed, step, order_[kSheep]);
  order(kWolf, seed, step, order_[kWolf]);
  bool sheep_first = true;
  if (settings_.random_type_order) {
    engine::RandomStream coin =
        engine::RandomStream::for_population(seed, pops_[kSheep]->index(), step, kTypeStream);
    sheep_first = coin.below(2) == 0;
  }
  const Species first = sheep_first ? kSheep : kWolf;
  const Species second = sheep_first ? kWolf : kSheep;
  for (const Species s : {first, second})
    for (const AgentId id : order_[s])
      activate(s, id, seed, step);
}

void Ecosystem::activate(Species s, AgentId id, std::uint64_t seed, std::uint64_t step) {
  engine::Population& pop = *pops_[s];
  const Row row = pop.row_of(id);
  if (row == engine::AgentIndex::kNoRow) return;  // eaten earlier in this step
  ++last_.activated[s];
  space::GridOccupancy& grid = *grids_[s];
  engine::RandomStream rng(seed, pop.uid_at(row), step, kActStream);
  // 1. A random Moore step, clamped: at an edge the animal slides along it.
  const space::Coord d = moves_.offsets()[rng.below(8)];
  const space::Coord at = shape_.coord(grid.cell_of(row));
  const CellIndex to = shape_.resolve_clamped(std::int64_t{at.x} + d.x, std::int64_t{at.y} + d.y,
                                              std::int64_t{at.z} + d.z);
  grid.move(row, to);
  // 2. Moving costs one unit.
  double energy = pop.column(energy_[s])[row] - 1;
  // 3. Eat.
  const double gain = settings_.species[s].gain;
  if (s == kSheep) {
    if ((*grown_)[to] != 0) {
      energy += gain;
      (*grown_)[to] = 0;  // the countdown stays at R; the grass update counts it down
      ++last_.grass_eaten;
    }
  } else {
    prey_.clear();
    grids_[kSheep]->for_each_in(to, [&](Row r) { prey_.push_back(r); });
    if (!prey_.empty()) {
      engine::Population& sheep = *pops_[kSheep];
      const Row victim = prey_[rng.below(static_cast<std::uint32_t>(prey_.size()))];
      last_.eaten_energy += sheep.column(energy_[kSheep])[victim];
      sheep.destroy(sheep.id_at(victim));
      energy += gain;
      ++last_.sheep_eaten;
    }
  }
  // 4. Starve, or perhaps reproduce.
  if (energy < 0) {
    last_.starved_energy += energy;
    ++last_.starved[s];
    pop.destroy(id);
    return;
  }
  if (rng.uniform() <= settings_.species[s].reproduce) {
    AgentId child = AgentId::null();
    if (pop.options().fail_on_refused_birth)
      child = pop.create();  // throws memory::BudgetExceeded beyond the population budget
    else if (pop.try_create(child) == engine::BirthStatus::refused)
      ++last_.refused[s];
    if (!child.is_null()) {
      energy /= 2;
      const Row c = pop.row_of(child);
      pop.column(energy_[s])[c] = energy;
      grid.place(c, to);
      ++last_.births[s];
    }
  }
  pop.column(energy_[s])[row] = energy;
}

void Ecosystem::grow(CellIndex begin, CellIndex end) {
  auto grown = grown_->values();
  auto countdown = countdown_->values();
  const std::int32_t R = settings_.regrowth;
  for (CellIndex c = begin; c < end; ++c) {
    if (grown[c] != 0) continue;
    if (countdown[c] <= 0) {
      grown[c] = 1;
      countdown[c] = R;
    } else {
      --countdown[c];
    }
  }
}

std::uint64_t Ecosystem::grass(engine::World& world) const {
  const auto grown = grown_->values();
  return space::reduce_cells(
      world, grown.size(), std::uint64_t{0},
      [&](CellIndex b, CellIndex e) {
        std::uint64_t n = 0;
        for (CellIndex c = b; c < e; ++c)
          n += grown[c];
        return n;
      },
      [](std::uint64_t a, std::uint64_t b) { return a + b; });
}

void Ecosystem::save(engine::CheckpointWriter& out) const {
  grids_[kSheep]->save(out);
  grids_[kWolf]->save(out);
  grown_->save(out);
  countdown_->save(out);
}

void Ecosystem::load(engine::CheckpointReader& in) {
  grids_[kSheep]->load(in);
  grids_[kWolf]->load(in);
  grown_->load(in);
  countdown_->load(in);
}

}  // namespace cohort::models::wolf_sheep
