#pragma once
// Ghost (halo) exchange: the positions of agents within interaction range of another rank's
// region are sent there, where they stand as ghosts in the space's neighbour structures. The
// rows to send are chosen at a neighbour-list rebuild; between rebuilds only their current
// positions travel (LAMMPS' forward communication), and any other component a model's ghosts
// need (e.g. velocities). A RowStore, so a re-sort of the rows by cell keeps the send lists
// pointing at the same agents.

#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
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
  void forward(std::span<Vec<D>> ghosts, const engine::RankGroup& ranks) const {
    forward(position_, ghosts, ranks);
  }
  /// The same for any trivially copyable component of the population: sends its current values
  /// of the rows chosen at the last rebuild and writes the received ones over `ghosts` (one per
  /// ghost, in rebuild()'s order). Collective. Throws std::logic_error if rows were added or
  /// removed since the rebuild, or if more values arrive than `ghosts` holds.
  template <class T>
  void forward(engine::Component<T> values, std::span<T> ghosts,
               const engine::RankGroup& ranks) const;

  /// Ghosts received at the last rebuild, and rows this rank sends (over all ranks).
  std::size_t ghosts() const { return ghosts_; }
  std::size_t sent() const;

  void append_row(engine::Row) override { stale_ = true; }
  void swap_remove_row(engine::Row, engine::Row) override { stale_ = true; }
  void permute_rows(std::span<const engine::Row> order) override;

 private:
  template <class T>
  engine::RankMessages send_values(engine::Component<T> values,
                                   const engine::RankGroup& ranks) const;

  engine::Population* population_;
  engine::Component<Vec<D>> position_;
  std::vector<std::vector<engine::Row>> send_;  // per destination rank, ascending at rebuild
  std::size_t ghosts_ = 0;
  bool stale_ = true;
};

template <int D>
template <class T>
engine::RankMessages HaloExchange<D>::send_values(engine::Component<T> values,
                                                  const engine::RankGroup& ranks) const {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto column = population_->column(values);
  engine::RankMessages out(static_cast<std::size_t>(ranks.size()));
  for (std::size_t r = 0; r < send_.size(); ++r) {
    out[r].resize(send_[r].size() * sizeof(T));
    std::byte* at = out[r].data();
    for (engine::Row row : send_[r]) {
      std::memcpy(at, &column[row], sizeof(T));
      at += sizeof(T);
    }
  }
  return out;
}

template <int D>
template <class T>
void HaloExchange<D>::forward(engine::Component<T> values, std::span<T> ghosts,
                              const engine::RankGroup& ranks) const {
  if (stale_)
    throw std::logic_error("halo exchange: rows changed since the send lists were chosen");
  const engine::RankMessages in = ranks.exchange(send_values(values, ranks));
  std::size_t at = 0;
  for (const std::vector<std::byte>& message : in) {
    const std::size_t count = message.size() / sizeof(T);
    if (count == 0) continue;  // memcpy must not see the null data() of an empty vector
    if (at + count > ghosts.size())
      throw std::logic_error("halo exchange: " + std::to_string(at + count) +
                             " ghost values received for " + std::to_string(ghosts.size()));
    std::memcpy(ghosts.data() + at, message.data(), count * sizeof(T));
    at += count;
  }
}

extern template class HaloExchange<2>;
extern template class HaloExchange<3>;

}  // namespace cohort::distributed
