#include "forest.hpp"

#include <algorithm>

#include "cohort/engine/random_stream.hpp"

namespace cohort::models::forest_fire {

using space::CellIndex;

namespace {
constexpr std::uint16_t kPlantStream = 0;
}

Forest::Forest(engine::World& world, engine::Population& owner,
               const space::GridSpaceSettings& grid, ForestSettings settings)
    : settings_(settings),
      neighbourhood_(grid.shape(), grid.neighbourhood),
      state_(world.accountant(), owner, "forest_fire.state", grid.shape().cells(), kEmpty) {}

void Forest::plant(engine::World& world, std::uint16_t owner_index) {
  const space::GridShape& g = shape();
  const std::uint64_t seed = world.seed();
  const double density = settings_.density;
  const bool whole = settings_.ignite_whole_column;
  auto states = state_.values();
  space::for_each_cell_block(world, g.cells(), [&](CellIndex begin, CellIndex end) {
    // One stream per block of cells (the block number in the counter's step word).
    engine::RandomStream rng = engine::RandomStream::for_population(
        seed, owner_index, begin / space::kCellBlock, kPlantStream);
    for (CellIndex c = begin; c < end; ++c) {
      const bool tree = rng.uniform() < density;
      const bool left = g.coord(c).x == 0;
      states[c] = (left && (tree || whole)) ? kBurning : tree ? kGreen : kEmpty;
    }
  });
  recount();
}

void Forest::recount() {
  const auto states = state_.values();
  trees_ = 0;
  burnt_ = 0;
  front_.clear();
  for (CellIndex c = 0; c < states.size(); ++c) {
    trees_ += states[c] != kEmpty;
    burnt_ += states[c] == kBurnt;
    if (states[c] == kBurning) front_.push_back(c);
  }
}

void Forest::step(bool reverse) {
  auto states = state_.values();
  next_.clear();
  auto burn = [&](CellIndex b) {
    neighbourhood_.for_each(b, [&](CellIndex n) {
      if (states[n] == kGreen) {
        states[n] = kBurning;
        next_.push_back(n);
      }
    });
    states[b] = kBurnt;
  };
  if (reverse)
    std::for_each(front_.rbegin(), front_.rend(), burn);
  else
    std::for_each(front_.begin(), front_.end(), burn);
  burnt_ += front_.size();
  front_.swap(next_);
}

void Forest::save(engine::CheckpointWriter& out) const {
  state_.save(out);
  out.put_vector(front_);
}

void Forest::load(engine::CheckpointReader& in) {
  state_.load(in);
  std::vector<CellIndex> front = in.get_vector<CellIndex>("forest fire front");
  recount();
  std::vector<CellIndex> sorted = front;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != front_)
    throw engine::CheckpointError("checkpoint's fire front does not match its burning cells");
  front_ = std::move(front);
}

}  // namespace cohort::models::forest_fire
