#include "ecosystem.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <span>
#include <stdexcept>

#include "cohort/engine/random/philox_lanes.hpp"
#include "cohort/engine/random_stream.hpp"

namespace cohort::models::wolf_sheep {

using engine::AgentId;
using engine::Row;
using space::CellIndex;

namespace {
constexpr std::uint16_t kInitStream = 0;
// 1 was each animal's own activation stream until the passes drew from one stream per species.
constexpr std::uint16_t kOrderStream = 2;
constexpr std::uint16_t kGrassStream = 3;
constexpr std::uint16_t kTypeStream = 4;
constexpr std::uint16_t kStepStream = 5;
constexpr std::uint16_t kDrawStream = 6;

// The grass kernel is compiled for AVX2 and baseline x86-64 and picked at load time (integer
// arithmetic: the same cells on either path). Not under ThreadSanitizer: target_clones resolves
// through an ifunc that runs before the TSan runtime is up (see gene_network's kernels).
#if defined(__SANITIZE_THREAD__)
#define COHORT_WOLF_SHEEP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COHORT_WOLF_SHEEP_TSAN 1
#endif
#endif
#if defined(__x86_64__) && !defined(COHORT_WOLF_SHEEP_TSAN)
#define COHORT_GRASS_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define COHORT_GRASS_KERNEL
#endif

// Branch-free so it vectorises (a branch per cell mispredicts on the random grass pattern;
// measured: the branchy loop was a sixth of a small run). The layers never alias: restrict lets
// the compiler drop its overlap checks, and the AVX2 path does 32 cells an iteration (measured
// in isolation: 0.9 -> 0.3 ns a cell on 625 cells).
COHORT_GRASS_KERNEL void grow_cells(std::uint8_t* __restrict grown,
                                    std::int32_t* __restrict countdown, std::size_t n,
                                    std::int32_t R) {
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t g = grown[c];
    const std::int32_t cd = countdown[c];
    const std::int32_t regrow = (g == 0) & (cd <= 0);
    countdown[c] = g != 0 ? cd : (regrow != 0 ? R : cd - 1);
    grown[c] = static_cast<std::uint8_t>(g | regrow);
  }
}
}  // namespace

Ecosystem::Ecosystem(engine::World& world, engine::Population& sheep, engine::Population& wolves,
                     const space::GridSpaceSettings& grid, EcosystemSettings settings)
    : settings_(settings),
      shape_(grid.shape()),
      moves_(shape_, space::NeighbourhoodSpec::moore(1)),
      walk_{.rows = space::FastDivisor(shape_.extent(0)),
            .width = static_cast<std::int32_t>(shape_.extent(0)),
            .height = static_cast<std::int32_t>(shape_.extent(1)),
            .inner_width = shape_.extent(0) >= 3 ? shape_.extent(0) - 2 : 0,
            .inner_height = shape_.extent(1) >= 3 ? shape_.extent(1) - 2 : 0,
            .torus_x = shape_.periodic(0),
            .torus_y = shape_.periodic(1),
            .steps = {},
            .deltas = {}},
      pops_{&sheep, &wolves},
      reproduce_{engine::ExactBernoulli(settings.species[kSheep].reproduce),
                 engine::ExactBernoulli(settings.species[kWolf].reproduce)} {
  if (moves_.offsets().size() != walk_.steps.size())
    throw std::logic_error("wolf_sheep: the Moore neighbourhood has 8 cells");
  for (std::size_t k = 0; k < walk_.steps.size(); ++k) {
    walk_.steps[k] = moves_.offsets()[k];
    walk_.deltas[k] = walk_.steps[k].x + walk_.steps[k].y * walk_.width;
  }
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
    engine::BatchedStream rng({seed, step, kOrderStream}, stream_key(s));
    order_[s]->shuffle(rng);
  }
  seed_ = seed;
  step_ = step;
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

engine::Uid Ecosystem::stream_key(Species s) const {
  return engine::kPopulationUidBase | pops_[s]->index();
}

template <Species S>
void Ecosystem::pass() {
  // One loop per species, so each holds only its own meal code (fewer registers, no test of the
  // species per activation). No prefetching: every array an activation touches fits the
  // second-level cache even in the large case, and fetching ahead cost more instructions than it
  // saved (measured: the large case no faster with it, the small case 10% slower).
  // The animals act one at a time in an order fixed by the step's streams, so one stream per
  // species and step draws for all of them, in that order, as any thread count and a resume
  // would: byte i of the step stream is the i-th entry's step, the draw stream gives the rest (a
  // meal's victim, the reproduction trial). Per-animal streams cost a uid lookup and a Philox
  // block an animal of which a quarter was used (measured: the large case 10% faster without).
  const engine::ActivationOrder& order = *order_[S];
  engine::BatchedStream draws({seed_, step_, kDrawStream}, stream_key(S));
  engine::ByteSource<engine::BatchedStream> bytes(draws);
  PassTally tally;  // counted in registers, not in last_ (a store an activation)
  for (const Species s : {kSheep, kWolf})
    energies_[s] = pops_[s]->column(energy_[s]).data();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::size_t slot = i % kBatch;
    if (slot == 0) draw_batch(S, i);
    const Row row = order.at(i);
    if (row == engine::AgentIndex::kNoRow) continue;  // eaten earlier in this step
    activate<S>(row, batch_to_[slot], draws, bytes, tally);
  }
  last_.activated[S] += tally.activated;
  last_.grass_eaten += tally.grass_eaten;
}

// Defined ahead of its one caller and inline: a call per animal cost more than the step.
inline CellIndex Ecosystem::Walk::operator()(CellIndex from, std::uint32_t k) const {
  // GridShape::resolve_clamped for the 2-D grid, inline and with one division: it is on every
  // activation. Off the edges (all but 4% of a 100 x 100 grid's cells) a step is a fixed change
  // of cell index, with no clamping (measured: a third of draw_batch's instructions).
  const std::uint32_t y = rows.divide(from);
  const std::uint32_t x = from - y * rows.divisor();
  if (x - 1 < inner_width && y - 1 < inner_height) [[likely]]
    return static_cast<CellIndex>(static_cast<std::int32_t>(from) + deltas[k]);
  const auto axis = [](std::int32_t v, std::int32_t extent, bool torus) {
    if (torus) return v < 0 ? v + extent : v >= extent ? v - extent : v;
    return std::clamp(v, 0, extent - 1);
  };
  const space::Coord d = steps[k];
  return static_cast<CellIndex>(axis(static_cast<std::int32_t>(y) + d.y, height, torus_y)) *
             rows.divisor() +
         static_cast<CellIndex>(axis(static_cast<std::int32_t>(x) + d.x, width, torus_x));
}

void Ecosystem::draw_batch(Species s, std::size_t begin) {
  // Byte i of the species' step stream is the step of the order's i-th entry: its top three bits,
  // one of 8 directions exactly (a byte, not a word, an entry: the step stream was most of the
  // Philox work). An eaten entry's byte goes unused. Nobody but the animal moves it, so its
  // target cell is known now: found here for the batch at once (independent loads and divisions),
  // not on each activation's critical path.
  if (begin % kStepBytes == 0)
    engine::philox_blocks({seed_, step_, kStepStream}, stream_key(s),
                          static_cast<std::uint32_t>(begin / 16), kStepBytes / 16,
                          step_words_.data());
  const engine::ActivationOrder& order = *order_[s];
  const std::size_t n = std::min(order.size() - begin, kBatch);
  const std::span<const CellIndex> cells = grids_[s]->cells();
  // The batch's step bytes, copied out: byte i % 4 of word i / 4, low byte first (on a
  // little-endian machine, the bytes in memory).
  std::array<std::uint8_t, kBatch> steps;
  const std::size_t first = begin % kStepBytes;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(steps.data(), reinterpret_cast<const std::uint8_t*>(step_words_.data()) + first,
                kBatch);
  } else {
    for (std::size_t k = 0; k < kBatch; ++k)
      steps[k] = static_cast<std::uint8_t>(step_words_[(first + k) / 4] >> (8 * ((first + k) % 4)));
  }
  // Locals, not members: the stores to batch_to_ would otherwise make the compiler reload every
  // 4-byte member (the walk's extents and divisor) on each entry.
  const Walk walk = walk_;
  for (std::size_t k = 0; k < n; ++k) {
    const Row row = order.at(begin + k);
    if (row == engine::AgentIndex::kNoRow) continue;  // eaten: never activated
    batch_to_[k] = walk(cells[row], static_cast<std::uint32_t>(steps[k]) >> 5);
  }
}

// Forced into its pass (GCC kept the wolves' out of line): the pass's streams and columns then
// stay in registers across activations (measured: 3% fewer instructions, the large case 4% faster).
template <Species s>
__attribute__((always_inline)) inline void Ecosystem::activate(
    Row row, CellIndex to, engine::BatchedStream& draws,
    engine::ByteSource<engine::BatchedStream>& bytes, PassTally& tally) {
  engine::Population& pop = *pops_[s];
  ++tally.activated;
  space::GridOccupancy& grid = *grids_[s];
  // 1. A random Moore step, clamped: at an edge the animal slides along it (draw_batch() drew it).
  grid.move(row, to);
  // 2. Moving costs one unit.
  double energy = energies_[s][row] - 1;
  // 3. Eat.
  const double gain = settings_.species[s].gain;
  if constexpr (s == kSheep) {
    // Without a branch: whether the grass is grown is a coin toss the predictor always loses.
    const std::uint8_t grown = (*grown_)[to];
    energy += grown * gain;
    (*grown_)[to] = 0;  // the countdown stays at R; the grass update counts it down
    tally.grass_eaten += grown;
  } else {
    const space::GridOccupancy& flock = *grids_[kSheep];
    if (const std::uint32_t n = flock.count(to); n > 0) {
      engine::Population& sheep = *pops_[kSheep];
      std::uint32_t k = draws.below(n);  // the k-th sheep of the cell's list
      Row victim = flock.first(to);
      for (; k > 0; --k)
        victim = flock.next(victim);
      last_.eaten_energy += energies_[kSheep][victim];
      sheep.destroy_at(victim);
      energy += gain;
      ++last_.sheep_eaten;
    }
  }
  // 4. Starve, or perhaps reproduce.
  if (energy < 0) {
    last_.starved_energy += energy;
    ++last_.starved[s];
    pop.destroy_at(row);
    return;
  }
  if (reproduce_[s](bytes)) {
    AgentId child = AgentId::null();
    if (pop.options().fail_on_refused_birth)
      child = pop.create();  // throws memory::BudgetExceeded beyond the population budget
    else if (pop.try_create(child) == engine::BirthStatus::refused)
      ++last_.refused[s];
    if (!child.is_null()) {
      energy /= 2;
      const auto c = static_cast<Row>(pop.size() - 1);  // a birth appends its row
      // The birth may have moved the column (its type was checked at the pass start).
      energies_[s] = pop.column_at(energy_[s].column).values<double>().data();
      energies_[s][c] = energy;
      grid.place(c, to);
      ++last_.births[s];
    }
  }
  energies_[s][row] = energy;
}

void Ecosystem::grow(CellIndex begin, CellIndex end) {
  grow_cells(grown_->values().data() + begin, countdown_->values().data() + begin, end - begin,
             settings_.regrowth);
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
