#include "ecosystem.hpp"

#include <algorithm>
#include <span>

#include "cohort/engine/random/philox_lanes.hpp"
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
      extent_{static_cast<std::int32_t>(shape_.extent(0)),
              static_cast<std::int32_t>(shape_.extent(1))},
      torus_{shape_.periodic(0), shape_.periodic(1)},
      pops_{&sheep, &wolves} {
  for (const Species s : {kSheep, kWolf}) {
    energy_[s] = pops_[s]->add_component<double>("energy");
    // Nobody looks for an empty cell here: untracked, a move writes two fewer scattered words.
    grids_[s].emplace(world.accountant(), *pops_[s], shape_, space::Occupancy::multiple,
                      space::EmptyCells::untracked);
    order_[s].emplace(world.accountant(), *pops_[s]);
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

void Ecosystem::animals(engine::World& world, std::uint64_t step) {
  last_ = PhaseCounts{};
  const std::uint64_t seed = world.seed();
  // A fresh uniform permutation of each species' rows each step, with the population's stream for
  // this step (its words computed sixteen blocks at a time: one Philox chain per four draws was
  // most of the shuffle). Rows are the same on any thread count and after a resume (births are
  // made in activation order, checkpoints restore rows), so the order is too. The order holds
  // rows and follows every swap-remove, so an activation needs no id lookup (profile of the large
  // case: the id shuffle and the lookups were near a tenth of the run).
  for (const Species s : {kSheep, kWolf}) {
    engine::BatchedStream rng({seed, step, kOrderStream},
                              engine::kPopulationUidBase | pops_[s]->index());
    order_[s]->shuffle(rng);
  }
  family_ = engine::StreamFamily{seed, step, kActStream};
  bool sheep_first = true;
  if (settings_.random_type_order) {
    engine::RandomStream coin =
        engine::RandomStream::for_population(seed, pops_[kSheep]->index(), step, kTypeStream);
    sheep_first = coin.below(2) == 0;
  }
  const Species first = sheep_first ? kSheep : kWolf;
  const Species second = sheep_first ? kWolf : kSheep;
  for (const Species s : {first, second}) {
    if (s == kSheep)
      pass<kSheep>();
    else
      pass<kWolf>();
  }
}

template <Species S>
void Ecosystem::pass() {
  // One loop per species, so each holds only its own meal code (fewer registers, no test of the
  // species per activation).
  const engine::ActivationOrder& order = *order_[S];
  std::uint32_t spill[4];
  draw_ahead(S, 0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i % kAhead == 0) draw_ahead(S, i + kAhead);
    prefetch(S, i);
    const Row row = order.at(i);
    if (row == engine::AgentIndex::kNoRow) continue;  // eaten earlier in this step
    const std::size_t slot = i % kWindow;
    engine::StreamWords rng(family_, window_uids_[slot], &window_words_[4 * slot], 1, spill);
    activate<S>(row, window_to_[slot], rng);
  }
}

// Defined ahead of its one caller and inline: a call per animal cost more than the step.
inline CellIndex Ecosystem::step_to(CellIndex from, space::Coord d) const {
  // GridShape::resolve_clamped for the 2-D grid, inline: it is on every activation.
  const space::Coord at = shape_.coord(from);
  const auto axis = [](std::int32_t v, std::int32_t extent, bool torus) {
    if (torus) return v < 0 ? v + extent : v >= extent ? v - extent : v;
    return std::clamp(v, 0, extent - 1);
  };
  return shape_.index(
      {axis(at.x + d.x, extent_[0], torus_[0]), axis(at.y + d.y, extent_[1], torus_[1]), 0});
}

void Ecosystem::draw_ahead(Species s, std::size_t begin) {
  // Each animal draws from its own stream, keyed by its uid; the first block of every stream
  // (enough for an activation but for a rare rejection) is computed kAhead entries at a time,
  // sixteen streams side by side (profile: one Philox chain per activation was about a tenth of
  // the large case), into a window of two batches: the one being activated and the next, whose
  // first words prefetch() reads. Its size is fixed, not per animal.
  // The first word is the animal's step (below(8) of one word never rejects: 8 divides 2^32), and
  // nobody but the animal moves it, so its target cell is known now: found here for the batch at
  // once (independent loads and divisions), not on each activation's critical path.
  const engine::ActivationOrder& order = *order_[s];
  if (begin >= order.size()) return;
  const std::size_t end = std::min(order.size(), begin + kAhead);
  const std::size_t at = begin % kWindow;
  const engine::Population& pop = *pops_[s];
  for (std::size_t i = begin; i < end; ++i) {
    const Row row = order.at(i);
    window_uids_[at + i - begin] = row == engine::AgentIndex::kNoRow ? 0 : pop.uid_at(row);
  }
  engine::philox_prefix(family_, std::span<const engine::Uid>(&window_uids_[at], end - begin), 1,
                        &window_words_[4 * at]);
  const space::GridOccupancy& grid = *grids_[s];
  for (std::size_t i = begin; i < end; ++i) {
    const std::size_t slot = at + i - begin;
    const Row row = order.at(i);
    if (row == engine::AgentIndex::kNoRow) {  // eaten: never activated, nothing to fetch
      window_from_[slot] = window_to_[slot] = 0;
      continue;
    }
    const std::uint64_t word = window_words_[4 * slot];
    window_from_[slot] = grid.cell_of(row);
    window_to_[slot] = step_to(window_from_[slot], moves_.offsets()[(word * 8) >> 32]);
  }
}

template <Species s>
void Ecosystem::activate(Row row, CellIndex to, engine::StreamWords& rng) {
  engine::Population& pop = *pops_[s];
  ++last_.activated[s];
  space::GridOccupancy& grid = *grids_[s];
  // 1. A random Moore step, clamped: at an edge the animal slides along it. draw_ahead() found
  // the target from the stream's first word; skip that word.
  rng.next_u32();
  grid.move(row, to);
  // 2. Moving costs one unit.
  std::span<double> energies = pop.column(energy_[s]);
  double energy = energies[row] - 1;
  // 3. Eat.
  const double gain = settings_.species[s].gain;
  if constexpr (s == kSheep) {
    // Without a branch: whether the grass is grown is a coin toss the predictor always loses.
    const std::uint8_t grown = (*grown_)[to];
    energy += grown * gain;
    (*grown_)[to] = 0;  // the countdown stays at R; the grass update counts it down
    last_.grass_eaten += grown;
  } else {
    const space::GridOccupancy& flock = *grids_[kSheep];
    if (const std::uint32_t n = flock.count(to); n > 0) {
      engine::Population& sheep = *pops_[kSheep];
      std::uint32_t k = rng.below(n);  // the k-th sheep of the cell's list
      Row victim = flock.first(to);
      for (; k > 0; --k)
        victim = flock.next(victim);
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
    pop.destroy(pop.id_at(row));
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
      energies = pop.column(energy_[s]);  // the birth may have moved the column
      energies[c] = energy;
      grid.place(c, to);
      ++last_.births[s];
    }
  }
  energies[row] = energy;
}

void Ecosystem::prefetch(Species s, std::size_t i) const {
  // The order is known ahead, so the scattered rows and cells of the next animals are fetched
  // while this one acts: the rows of the animal 8 ahead, the cells of the one 4 ahead (its cell
  // and target, found by draw_ahead()).
  constexpr std::size_t kRowsAhead = 8, kCellsAhead = 4;
  const engine::ActivationOrder& order = *order_[s];
  const space::GridOccupancy& grid = *grids_[s];
  if (i + kRowsAhead < order.size())
    if (const Row r = order.at(i + kRowsAhead); r != engine::AgentIndex::kNoRow) {
      grid.prefetch_row(r);
      // The column unchecked (no type test per prefetch); only an address is formed.
      __builtin_prefetch(pops_[s]->column_at(energy_[s].column).bytes() + sizeof(double) * r);
    }
  if (i + kCellsAhead < order.size()) {  // an eaten animal's cells read 0: a harmless fetch
    const std::size_t slot = (i + kCellsAhead) % kWindow;
    const CellIndex to = window_to_[slot];
    grid.prefetch_cell(window_from_[slot]);
    grid.prefetch_cell(to);
    if (s == kSheep)
      __builtin_prefetch(&(*grown_)[to]);
    else
      grids_[kSheep]->prefetch_cell(to);
  }
}

void Ecosystem::grow(CellIndex begin, CellIndex end) {
  auto grown = grown_->values();
  auto countdown = countdown_->values();
  const std::int32_t R = settings_.regrowth;
  // Branch-free so it vectorises (a branch per cell mispredicts on the random grass pattern;
  // measured: the branchy loop was a sixth of a small run).
  for (CellIndex c = begin; c < end; ++c) {
    const std::int32_t g = grown[c];
    const std::int32_t cd = countdown[c];
    const std::int32_t regrow = (g == 0) & (cd <= 0);
    countdown[c] = g != 0 ? cd : (regrow != 0 ? R : cd - 1);
    grown[c] = static_cast<std::uint8_t>(g | regrow);
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
