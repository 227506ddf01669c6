#include "cohort/distributed/halo_exchange.hpp"

#include <cstring>

namespace cohort::distributed {

template <int D>
HaloExchange<D>::HaloExchange(engine::Population& population, engine::Component<Vec<D>> position)
    : population_(&population), position_(position) {
  population.attach(*this);
}

template <int D>
HaloExchange<D>::~HaloExchange() {
  population_->detach(*this);
}

template <int D>
std::size_t HaloExchange<D>::sent() const {
  std::size_t n = 0;
  for (const auto& rows : send_)
    n += rows.size();
  return n;
}

template <int D>
std::vector<Vec<D>> HaloExchange<D>::rebuild(const BoxDecomposition<D>& decomposition, double range,
                                             const engine::RankGroup& ranks) {
  send_.assign(static_cast<std::size_t>(ranks.size()), {});
  const auto pos = population_->column(position_);
  std::vector<int> near;
  for (engine::Row row = 0; row < pos.size(); ++row) {
    near.clear();
    decomposition.ranks_near(pos[row], range, ranks.rank(), near);
    for (int r : near)
      send_[static_cast<std::size_t>(r)].push_back(row);
  }
  stale_ = false;
  const engine::RankMessages in = ranks.exchange(send_values(position_, ranks));
  std::vector<Vec<D>> ghosts;
  for (const std::vector<std::byte>& message : in) {
    const std::size_t count = message.size() / sizeof(Vec<D>);
    if (count == 0) continue;  // memcpy must not see the null data() of an empty vector
    const std::size_t at = ghosts.size();
    ghosts.resize(at + count);
    std::memcpy(ghosts.data() + at, message.data(), count * sizeof(Vec<D>));
  }
  ghosts_ = ghosts.size();
  return ghosts;
}

template <int D>
void HaloExchange<D>::permute_rows(std::span<const engine::Row> order) {
  if (stale_) return;
  std::vector<engine::Row> new_row(order.size());
  for (engine::Row i = 0; i < order.size(); ++i)
    new_row[order[i]] = i;
  for (auto& rows : send_)
    for (engine::Row& r : rows)
      r = new_row[r];
}

template class HaloExchange<2>;
template class HaloExchange<3>;

}  // namespace cohort::distributed
