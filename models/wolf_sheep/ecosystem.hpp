#pragma once
// WolfSheep (classic_abm_models.md section 3) on the grid space: sheep and wolves as two
// populations on a bounded multiple-occupancy grid, grass as two cell layers.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "cohort/engine/activation_order.hpp"
#include "cohort/engine/random/exact_bernoulli.hpp"
#include "cohort/engine/random/philox_lanes.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/space/grid/cell_layer.hpp"
#include "cohort/space/grid/grid_occupancy.hpp"
#include "cohort/space/grid/grid_settings.hpp"
#include "cohort/space/grid/neighbourhood.hpp"

namespace cohort::models::wolf_sheep {

enum Species : std::uint8_t { kSheep = 0, kWolf = 1 };

/// What one species gains from a meal and how likely it reproduces.
struct SpeciesSettings {
  double gain = 5;  ///< delta_energy: energy per meal; initial energy is uniform in 0..2*gain-1
  double reproduce = 0;  ///< reproduction_prob per activation
};

struct EcosystemSettings {
  std::array<SpeciesSettings, 2> species{SpeciesSettings{5, 0.2}, SpeciesSettings{13, 0.1}};
  std::int32_t regrowth = 20;  ///< R
  /// true (canonical, Agents.jl/Ark.jl): sheep-first or wolves-first drawn each step; false
  /// (the declaration, Mesa, MASON): sheep always act first.
  bool random_type_order = true;
};

/// What happened in the last animal phase, for metrics and bookkeeping checks.
struct PhaseCounts {
  std::array<std::uint64_t, 2> activated{}, births{}, starved{}, refused{};
  std::uint64_t sheep_eaten = 0;  ///< = wolf meals
  std::uint64_t grass_eaten = 0;  ///< = sheep meals
  double eaten_energy = 0;        ///< energy of the eaten sheep when eaten
  double starved_energy = 0;      ///< energy of starved animals at death, each in [-1, 0)
};

/// Both species, their grids and the grass.
class Ecosystem {
 public:
  /// Adds components to the (empty) populations, attaches an occupancy index to each and makes
  /// the grass layers, charged to the sheep population.
  Ecosystem(engine::World& world, engine::Population& sheep, engine::Population& wolves,
            const space::GridSpaceSettings& grid, EcosystemSettings settings);

  /// Creates the sheep, then the wolves (energy and cell uniform), then the grass.
  void populate(engine::World& world, std::uint64_t sheep, std::uint64_t wolves);
  /// Activates every animal alive at its start once, in a random type order and a random order
  /// within each type, one at a time (main thread); births and deaths happen at once through the
  /// populations (births refused by a population budget are counted and the parent keeps its
  /// energy).
  void animals(engine::World& world, std::uint64_t step);
  /// The grass update of one block of cells [begin, end).
  void grow(space::CellIndex begin, space::CellIndex end);
  /// Fully grown cells.
  std::uint64_t grass(engine::World& world) const;

  const PhaseCounts& last() const { return last_; }
  engine::Population& population(Species s) const { return *pops_[s]; }
  const space::GridOccupancy& grid(Species s) const { return *grids_[s]; }
  engine::Component<double> energy(Species s) const { return energy_[s]; }
  const space::CellLayer<std::uint8_t>& grown() const { return *grown_; }
  const space::CellLayer<std::int32_t>& countdown() const { return *countdown_; }
  std::size_t cells() const { return shape_.cells(); }

  void save(engine::CheckpointWriter& out) const;
  void load(engine::CheckpointReader& in);

 private:
  /// Activates every animal of species S in the order, one at a time.
  template <Species S>
  void pass();
  /// What a pass counts per activation, added to last_ at its end.
  struct PassTally {
    std::uint64_t activated = 0, grass_eaten = 0;
  };
  /// Activates the animal of species S at `row`, which steps to `to`; its other draws come next
  /// from the pass's stream (`draws` for words, `bytes` for the reproduction trial).
  template <Species S>
  void activate(engine::Row row, space::CellIndex to, engine::BatchedStream& draws,
                engine::ByteSource<engine::BatchedStream>& bytes, PassTally& tally);
  /// Draws the steps and finds the target cells of the animals at [begin, begin + kBatch) of
  /// `s`'s order.
  void draw_batch(Species s, std::size_t begin);
  /// What keys species `s`'s streams in this step (its population, not an agent).
  engine::Uid stream_key(Species s) const;
  /// A random-walk step on the 2-D grid: the cell one Moore step from `from` (clamped at bounded
  /// edges, wrapped on tori). A value, so a loop can hold it in registers.
  struct Walk {
    space::FastDivisor rows;  // cell -> y (the cell index divided by the width)
    std::int32_t width, height;
    std::uint32_t inner_width, inner_height;  // extents less both edges (0 when under 3)
    bool torus_x, torus_y;
    std::array<space::Coord, 8> steps;   // the Moore neighbourhood's offsets
    std::array<std::int32_t, 8> deltas;  // each as a change of cell index, off the edges
    /// The cell after step `k` (0-7) from `from`.
    space::CellIndex operator()(space::CellIndex from, std::uint32_t k) const;
  };

  EcosystemSettings settings_;
  space::GridShape shape_;
  space::Neighbourhood moves_;
  Walk walk_;
  std::array<engine::Population*, 2> pops_;
  std::array<engine::Component<double>, 2> energy_;
  // Each species' energy column during a pass: looked up (type-checked) at the pass start and
  // after each birth of that species (which may move it), not on every activation.
  std::array<double*, 2> energies_{};
  std::array<std::optional<space::GridOccupancy>, 2> grids_;
  std::optional<space::CellLayer<std::uint8_t>> grown_;
  std::optional<space::CellLayer<std::int32_t>> countdown_;
  PhaseCounts last_;
  // Declared after the grids and destroyed before them; both follow the populations' rows.
  std::array<std::optional<engine::ActivationOrder>, 2> order_;
  // Each species' reproduction trial (exact: U < reproduce, about a byte of the stream a trial).
  std::array<engine::ExactBernoulli, 2> reproduce_;
  // This step's seed and step, for the passes' streams.
  std::uint64_t seed_ = 0, step_ = 0;
  // The steps of the order's entries, a byte each, kStepBytes entries at a time (16 Philox
  // blocks: one call of the batched kernel): entry i's at byte i % kStepBytes.
  static constexpr std::size_t kStepBytes = 256;
  std::array<std::uint32_t, kStepBytes / 4> step_words_{};
  // The targets of the entries in this batch: entry i's at i % kBatch.
  static constexpr std::size_t kBatch = 64;
  static_assert(kStepBytes % kBatch == 0);
  std::array<space::CellIndex, kBatch> batch_to_{};
};

}  // namespace cohort::models::wolf_sheep
