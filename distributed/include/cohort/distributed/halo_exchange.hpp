#pragma once
// Ghost (halo) exchange: the positions of agents within interaction range of another rank's
// region are sent there, where they stand as ghosts in the space's neighbour structures. The
// rows to send are chosen at a neighbour-list rebuild; between rebuilds only their current
// positions travel (LAMMPS' forward communication). A RowStore, so a re-sort of the rows by
// cell keeps the send lists pointing at the same agents.

#include <span>
#include <vector>

#include "cohort/distributed/box_decomposition.hpp"
#include "cohort/engine/population.hpp"
#include "cohort/engine/rank_group.hpp"

namespace cohort::distributed {

/// The send lists of one rank and the exchanges that use them.
template <int D>
class HaloExchange final : public engine::RowStore {
 public:
  /// Attaches to `population` (which must be empty, as any RowStore).
  HaloExchange(engine::Population& population, engine::Component<Vec<D>> position);
  ~HaloExchange() override;
  HaloExchange(const HaloExchange&) = delete;
  HaloExchange& operator=(const HaloExchange&) = delete;

  /// Chooses, for every other rank, the rows within `range` of its region (through periodic
  /// images) and returns the ghosts this rank receives: in rank order, then in each sender's
  /// row order. Collective.
  std::vector<Vec<D>> rebuild(const BoxDecomposition<D>& decomposition, double range,
                              const engine::RankGroup& ranks);
  /// Sends the current positions of the rows chosen at the last rebuild and writes the received
  /// ones over `ghosts` (the order rebuild() returned). Collective. Throws std::logic_error if
  /// rows were added or removed since the rebuild.
  void forward(std::span<Vec<D>> ghosts, const engine::RankGroup& ranks) const;

  /// Ghosts received at the last rebuild, and rows this rank sends (over all ranks).
  std::size_t ghosts() const { return ghosts_; }
  std::size_t sent() const;

  void append_row(engine::Row) override { stale_ = true; }
  void swap_remove_row(engine::Row, engine::Row) override { stale_ = true; }
  void permute_rows(std::span<const engine::Row> order) override;

 private:
  engine::RankMessages send_positions(const engine::RankGroup& ranks) const;

  engine::Population* population_;
  engine::Component<Vec<D>> position_;
  std::vector<std::vector<engine::Row>> send_;  // per destination rank, ascending at rebuild
  std::size_t ghosts_ = 0;
  bool stale_ = true;
};

extern template class HaloExchange<2>;
extern template class HaloExchange<3>;

}  // namespace cohort::distributed
