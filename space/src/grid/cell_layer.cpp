#include "cohort/space/grid/cell_layer.hpp"

#include <algorithm>

namespace cohort::space {

void for_each_cell_block(engine::World& world, std::size_t cells,
                         const std::function<void(CellIndex begin, CellIndex end)>& fn) {
  const std::size_t blocks = (cells + kCellBlock - 1) / kCellBlock;
  world.run_tasks(blocks, [&](std::size_t b, std::size_t) {
    fn(static_cast<CellIndex>(b * kCellBlock),
       static_cast<CellIndex>(std::min(cells, (b + 1) * kCellBlock)));
  });
}

void add_cell_system(engine::World& world, std::string name, std::string phase, std::size_t cells,
                     std::function<void(CellIndex begin, CellIndex end, std::uint64_t step)> fn) {
  world.add_system(std::move(name), std::move(phase),
                   [cells, fn = std::move(fn)](engine::World& w, std::uint64_t step) {
                     for_each_cell_block(w, cells,
                                         [&](CellIndex b, CellIndex e) { fn(b, e, step); });
                   });
}

}  // namespace cohort::space
