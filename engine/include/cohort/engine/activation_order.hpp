#pragma once
// A random activation order over a population's rows for models that activate agents one at a
// time and kill or create agents immediately (WolfSheep: a wolf eats a sheep that has not acted
// yet). It holds rows, not ids, so an activation needs no id lookup; as a row store it follows
// every swap-remove, so an agent keeps its place in the order when a death moves it to another row.

#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "cohort/engine/population.hpp"
#include "cohort/engine/random_stream.hpp"
#include "cohort/memory/accountant.hpp"
#include "cohort/memory/push_with_room.hpp"
#include "cohort/memory/shared_charge.hpp"

namespace cohort::engine {

/// Fills `order` with the rows [0, rows) in a uniformly random order: a Fisher-Yates shuffle drawn
/// from `rng` (a RandomStream, or any source of its words such as a BatchedStream), so the
/// permutation depends only on the count and the stream, never on threads. For models whose
/// agents neither die nor are born during a pass (else use ActivationOrder).
template <class Words>
void shuffle_rows(std::vector<Row>& order, std::size_t rows, Words& rng) {
  order.resize(rows);
  for (std::size_t r = 0; r < rows; ++r)
    order[r] = static_cast<Row>(r);
  for (std::size_t i = rows; i > 1; --i)
    std::swap(order[i - 1], order[rng.below(static_cast<std::uint32_t>(i))]);
}

/// The rows of one population in a uniformly random order, valid through the deaths and births of
/// one pass: a dead agent's entry reads AgentIndex::kNoRow, an agent born after shuffle() is not
/// in the order, and an agent moved to another row by a swap-remove is found at its new row.
/// Main thread only, like every row change. Must be destroyed before its population.
/// Memory: 8 B per row (the order and each row's place in it), charged to the population under
/// tag `scratch`: used 8 B a row, held what the two vectors hold.
class ActivationOrder final : public RowStore {
 public:
  static constexpr Row kUnordered = AgentIndex::kNoRow;

  /// Attaches to `owner`, which must be empty; charges go through `accountant` (the owner's).
  ActivationOrder(memory::Accountant& accountant, Population& owner)
      : owner_(&owner), charge_(accountant, owner.account(), memory::TagRegistry::kScratch) {
    owner.attach(*this);
  }
  ~ActivationOrder() override { owner_->detach(*this); }
  ActivationOrder(const ActivationOrder&) = delete;
  ActivationOrder& operator=(const ActivationOrder&) = delete;

  /// Orders every current row by a Fisher-Yates shuffle of [0, size) drawn from `rng` (the
  /// permutation depends only on the size and the stream, never on threads).
  template <class Words>
  void shuffle(Words& rng) {
    const std::size_t n = position_.size();
    shuffle_rows(order_, n, rng);
    for (std::size_t i = 0; i < n; ++i)
      position_[order_[i]] = static_cast<Row>(i);
    sync_charge();
  }
  /// Entries in the order (the population's size at shuffle()).
  std::size_t size() const { return order_.size(); }
  /// The row of the i-th agent of the order, or AgentIndex::kNoRow if it died since shuffle().
  Row at(std::size_t i) const { return order_[i]; }

  // RowStore: called by the population.
  void append_row(Row) override {
    const bool full = position_.size() == position_.capacity();
    if (full) [[unlikely]]
      make_room();
    memory::push_with_room(position_, kUnordered);
    // The held figure moves only with position_'s capacity or rows beyond the order's.
    if (full || position_.size() > order_.capacity()) [[unlikely]]
      sync_charge();
    else
      charge_.add_used(bytes_per_row());
  }
  void swap_remove_row(Row row, Row last) override {
    if (position_[row] != kUnordered) order_[position_[row]] = AgentIndex::kNoRow;
    if (row != last) {
      position_[row] = position_[last];
      if (position_[row] != kUnordered) order_[position_[row]] = row;
    }
    position_.pop_back();
    if (position_.size() >= order_.capacity()) [[unlikely]]
      sync_charge();
    else
      charge_.remove_used(bytes_per_row());
  }
  void permute_rows(std::span<const Row> order) override {
    std::vector<Row> moved(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      moved[i] = position_[order[i]];
      if (moved[i] != kUnordered) order_[moved[i]] = static_cast<Row>(i);
    }
    position_.swap(moved);
    sync_charge();
  }
  std::size_t bytes_per_row() const override { return 2 * sizeof(Row); }  // see sync_charge()

 private:
  /// The only allocation of a birth, out of line (see memory::push_with_room).
  [[gnu::noinline]] void make_room() {
    position_.reserve(std::max<std::size_t>(16, 2 * position_.capacity()));
  }
  void sync_charge() {
    // Used is two entries a row (shuffle() refills the order to one entry a row): a function of
    // the rows alone, so a run resumed from a checkpoint (whose order is empty until its first
    // shuffle, its vectors smaller) charges, and is refused births by its budget, exactly as the
    // uninterrupted run. Charged at the next settle, not on every birth and death.
    const std::size_t rows = position_.size();
    charge_.set(rows * bytes_per_row(),
                (position_.capacity() + std::max(order_.capacity(), rows)) * sizeof(Row));
  }

  Population* owner_;
  memory::SharedCharge charge_;
  std::vector<Row> order_;     // the order: rows, kNoRow once dead
  std::vector<Row> position_;  // per row: its index in order_, or kUnordered
};

}  // namespace cohort::engine
