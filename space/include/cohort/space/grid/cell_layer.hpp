#pragma once
// Cell property layers: one value per grid cell (grass countdown, tree state), stored as a
// column, charged to the owning population under space.layers, stepped in parallel by blocks of
// cells fixed independently of the thread count.

#include <cstddef>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/space/grid/grid_shape.hpp"
#include "cohort/space/grid/space_charge.hpp"
#include "cohort/space/space_tags.hpp"

namespace cohort::space {

/// Cells per block of a layer system: fixed, so per-block results (and reductions combined in
/// block order) are the same on any number of threads.
inline constexpr std::size_t kCellBlock = 16384;

/// One value of type T per cell.
template <class T>
class CellLayer {
  static_assert(std::is_trivially_copyable_v<T>, "layer values must be trivially copyable");

 public:
  /// Charges `cells * sizeof(T)` to `owner` under space.layers (throws memory::BudgetExceeded
  /// beyond its population budget) and fills the layer with `init`.
  CellLayer(memory::Accountant& accountant, engine::Population& owner, std::string name,
            std::size_t cells, T init = T{})
      : name_(std::move(name)),
        charge_(accountant, owner, SpaceTags::intern(accountant.tags()).layers) {
    charge_.check_growth(cells * sizeof(T), "layer '" + name_ + "'");
    values_.assign(cells, init);
    charge_.set(cells * sizeof(T), values_.capacity() * sizeof(T));
  }

  const std::string& name() const { return name_; }
  std::size_t size() const { return values_.size(); }
  T& operator[](CellIndex c) { return values_[c]; }
  const T& operator[](CellIndex c) const { return values_[c]; }
  std::span<T> values() { return values_; }
  std::span<const T> values() const { return values_; }

  void save(engine::CheckpointWriter& out) const { out.put_vector(values_); }
  /// Throws engine::CheckpointError when the saved layer has another size.
  void load(engine::CheckpointReader& in) {
    std::vector<T> v = in.get_vector<T>(name_.c_str());
    if (v.size() != values_.size())
      throw engine::CheckpointError("checkpoint layer '" + name_ + "' has " +
                                    std::to_string(v.size()) + " cells, the grid " +
                                    std::to_string(values_.size()));
    values_ = std::move(v);
  }

 private:
  std::string name_;
  std::vector<T> values_;
  SpaceCharge charge_;
};

/// Runs fn(begin, end) over every block of kCellBlock cells of [0, cells) on the world's threads.
/// fn must write only cells in its own block (read any).
void for_each_cell_block(engine::World& world, std::size_t cells,
                         const std::function<void(CellIndex begin, CellIndex end)>& fn);

/// Deterministic parallel reduction over cells: block_fn(begin, end) -> T per block, combined
/// left to right in block order.
template <class T, class BlockReduce, class Combine>
T reduce_cells(engine::World& world, std::size_t cells, T init, BlockReduce&& block_fn,
               Combine&& combine) {
  const std::size_t blocks = (cells + kCellBlock - 1) / kCellBlock;
  std::vector<T> partial(blocks, init);
  world.run_tasks(blocks, [&](std::size_t b, std::size_t) {
    const auto begin = static_cast<CellIndex>(b * kCellBlock);
    const auto end = static_cast<CellIndex>(std::min(cells, (b + 1) * kCellBlock));
    partial[b] = block_fn(begin, end);
  });
  T acc = init;
  for (const T& p : partial)
    acc = combine(acc, p);
  return acc;
}

/// Adds a whole-step system to `phase` that runs fn(begin, end, step) over the cell blocks in
/// parallel (a layer's per-step rule, e.g. grass regrowth).
void add_cell_system(engine::World& world, std::string name, std::string phase, std::size_t cells,
                     std::function<void(CellIndex begin, CellIndex end, std::uint64_t step)> fn);

}  // namespace cohort::space
