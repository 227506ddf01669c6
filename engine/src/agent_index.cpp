#include "cohort/engine/agent_index.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "cohort/memory/push_with_room.hpp"
#include "cohort/memory/row_gather.hpp"

namespace cohort::engine {

namespace {
// A dead slot in a checkpoint state: the next free index and the generation of the slot's next
// use.
constexpr std::uint64_t pack_free(std::uint32_t next, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | next;
}
constexpr std::uint32_t next_of(std::uint64_t slot) {
  return static_cast<std::uint32_t>(slot);
}
}  // namespace

AgentId AgentIndex::create() {
  if (free_head_ == kNoIndex || dense_.size() == dense_.capacity()) [[unlikely]]
    return create_slow();
  // Reuse the newest free slot; dense_ has room, so nothing here can throw.
  const auto row = static_cast<Row>(dense_.size());
  const std::uint32_t index = free_head_;
  free_head_ = link_[index];
  if (free_head_ == kNoIndex) free_tail_ = kNoIndex;
  link_[index] = row;
  memory::push_with_room(dense_, index);
  return AgentId(index, generation_[index]);
}

AgentId AgentIndex::create_slow() {
  // Room first: a std::bad_alloc then leaves the index unchanged (strong guarantee).
  if (dense_.size() == dense_.capacity())
    dense_.reserve(std::max<std::size_t>(1, 2 * dense_.size()));  // vector's own growth
  if (free_head_ != kNoIndex) return create();
  const auto row = static_cast<Row>(dense_.size());
  if (link_.size() > AgentId::kMaxIndex)
    throw std::length_error("a population can hold at most " + std::to_string(AgentId::kMaxIndex) +
                            " agent slots");
  const auto index = static_cast<std::uint32_t>(link_.size());
  if (generation_.size() == generation_.capacity())
    generation_.reserve(std::max<std::size_t>(1, 2 * generation_.size()));
  link_.push_back(row);  // may throw: generation_ and dense_ have room, so nothing after it can
  memory::push_with_room(generation_, 0u);
  memory::push_with_room(dense_, index);
  return AgentId(index, 0);
}

Row AgentIndex::destroy(AgentId id) {
  const Row row = link_[id.index()];
  release(id.index(), row);
  return row;
}

void AgentIndex::release(std::uint32_t index, Row row) {
  const auto last = static_cast<Row>(dense_.size() - 1);
  const std::uint32_t moved = dense_[last];
  dense_[row] = moved;
  link_[moved] = row;
  dense_.pop_back();

  link_[index] = kNoIndex;
  const std::uint32_t generation = generation_[index];  // the live agent's
  if (generation == AgentId::kMaxGeneration) {
    // Reusing this slot would wrap its generation and let a stale id alias a new agent.
    ++retired_;
    return;
  }
  generation_[index] = generation + 1;
  // Pushed at the head: the next birth takes this slot, whose lines the death just touched.
  link_[index] = free_head_;
  if (free_head_ == kNoIndex) free_tail_ = index;
  free_head_ = index;
}

void AgentIndex::permute(std::span<const Row> order, void* scratch) {
  auto* gathered = static_cast<std::uint32_t*>(scratch);
  memory::gather_rows(gathered, dense_.data(), order);
  adopt(gathered);
}

Row AgentIndex::gather_checked(std::span<const Row> order, std::uint32_t* gathered) const {
  const std::size_t n = dense_.size();
  std::vector<std::uint64_t> seen((n + 63) / 64, 0);
  std::uint64_t repeated = 0;  // non-zero once some row was named twice
  const std::uint32_t* ids = dense_.data();
  constexpr std::size_t kAhead = memory::kGatherAhead;
  for (std::size_t i = 0; i < n; ++i) {
    const Row r = order[i];
    if (r >= n) [[unlikely]]
      return r;
    if (i + kAhead < n && order[i + kAhead] < n) __builtin_prefetch(ids + order[i + kAhead]);
    const std::uint64_t bit = std::uint64_t{1} << (r % 64);
    repeated |= seen[r / 64] & bit;
    seen[r / 64] |= bit;
    gathered[i] = ids[r];
  }
  if (repeated == 0) return kNoRow;
  // Rare: find a row named twice, for the caller's message.
  std::fill(seen.begin(), seen.end(), 0);
  for (const Row r : order) {
    const std::uint64_t bit = std::uint64_t{1} << (r % 64);
    if (seen[r / 64] & bit) return r;
    seen[r / 64] |= bit;
  }
  return kNoRow;
}

void AgentIndex::adopt(const std::uint32_t* gathered) {
  // The copy and the slots' scatter in one pass; the scatter goes to random slots, so its lines
  // are prefetched for writing as the gathers prefetch theirs for reading.
  constexpr std::size_t kAhead = memory::kGatherAhead;
  const std::size_t n = dense_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(&link_[gathered[i + kAhead]], 1);
    const std::uint32_t index = gathered[i];
    dense_[i] = index;
    link_[index] = static_cast<Row>(i);
  }
}

void AgentIndex::reserve(std::size_t agents) {
  link_.reserve(agents);
  generation_.reserve(agents);
  dense_.reserve(agents);
}

AgentIndex::State AgentIndex::state() const {
  State s{std::vector<std::uint64_t>(link_.size()), std::vector<AgentId>(dense_.size()), free_head_,
          free_tail_, retired_};
  for (std::uint32_t index = 0; index < link_.size(); ++index)
    s.sparse[index] = pack_free(link_[index], generation_[index]);  // dead slots
  for (Row row = 0; row < dense_.size(); ++row) {
    s.dense[row] = id_at(row);
    s.sparse[dense_[row]] = row;  // live slots: the row alone
  }
  return s;
}

void AgentIndex::restore(State state) {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("agent index state is inconsistent: " + what);
  };
  const std::size_t slots = state.sparse.size();
  if (state.dense.size() > slots) fail("more live agents than slots");
  std::vector<std::uint8_t> seen(slots, 0);  // 1 = live, 2 = on the free list
  for (Row row = 0; row < state.dense.size(); ++row) {
    const AgentId id = state.dense[row];
    if (id.index() >= slots || state.sparse[id.index()] != row || seen[id.index()] != 0)
      fail("row " + std::to_string(row) + " names slot " + std::to_string(id.index()) +
           " which does not point back to it");
    seen[id.index()] = 1;
  }
  // The free list must start at free_head, visit only dead slots once, and end at free_tail.
  std::uint64_t free = 0;
  std::uint32_t last = kNoIndex;
  for (std::uint32_t at = state.free_head; at != kNoIndex; at = next_of(state.sparse[at])) {
    if (at >= slots || seen[at] != 0)
      fail("the free list reaches slot " + std::to_string(at) + " twice or out of range");
    seen[at] = 2;
    last = at;
    ++free;
  }
  if (last != state.free_tail) fail("the free list does not end at its recorded tail");
  if (state.dense.size() + free + state.retired != slots)
    fail(std::to_string(slots) + " slots are not " + std::to_string(state.dense.size()) +
         " live + " + std::to_string(free) + " free + " + std::to_string(state.retired) +
         " retired");
  // Built aside first (they may throw), then exchanged: a failed restore changes nothing.
  memory::RowArray<Row> link(slots);
  memory::RowArray<std::uint32_t> generation(slots);
  memory::RowArray<std::uint32_t> dense(state.dense.size());
  for (std::size_t index = 0; index < slots; ++index) {
    link[index] = next_of(state.sparse[index]);
    generation[index] = static_cast<std::uint32_t>(state.sparse[index] >> 32);
  }
  for (Row row = 0; row < state.dense.size(); ++row) {
    const AgentId id = state.dense[row];
    dense[row] = id.index();
    link[id.index()] = row;
    generation[id.index()] = id.generation();
  }
  link_.swap(link);
  generation_.swap(generation);
  dense_.swap(dense);
  free_head_ = state.free_head;
  free_tail_ = state.free_tail;
  retired_ = state.retired;
}

}  // namespace cohort::engine
