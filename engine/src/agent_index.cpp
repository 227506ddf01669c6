#include "cohort/engine/agent_index.hpp"

#include <stdexcept>
#include <string>

namespace cohort::engine {

namespace {
// A dead sparse slot: the next free index and the generation of the slot's next use.
constexpr std::uint32_t pack_free(std::uint32_t next, std::uint32_t generation) {
  return AgentId(next, generation).bits();
}
}  // namespace

AgentId AgentIndex::create() {
  const Row row = static_cast<Row>(dense_.size());
  if (free_head_ != kNoIndex) {
    const std::uint32_t index = free_head_;
    const AgentId slot = AgentId::from_bits(sparse_[index]);
    free_head_ = slot.index();
    if (free_head_ == kNoIndex) free_tail_ = kNoIndex;
    const AgentId id(index, slot.generation());
    sparse_[index] = row;
    dense_.push_back(id);
    return id;
  }
  if (sparse_.size() > AgentId::kMaxIndex)
    throw std::length_error("a population can hold at most " +
                            std::to_string(AgentId::kMaxIndex + 1) + " agent indices");
  const auto index = static_cast<std::uint32_t>(sparse_.size());
  const AgentId id(index, 0);
  sparse_.push_back(row);
  dense_.push_back(id);
  return id;
}

Row AgentIndex::destroy(AgentId id) {
  const Row row = sparse_[id.index()];
  const Row last = static_cast<Row>(dense_.size() - 1);
  const AgentId moved = dense_[last];
  dense_[row] = moved;
  sparse_[moved.index()] = row;
  dense_.pop_back();

  if (id.generation() == AgentId::kMaxGeneration) {
    // Reusing this index would wrap its generation and let a stale id alias a new agent.
    sparse_[id.index()] = pack_free(kNoIndex, AgentId::kMaxGeneration);
    ++retired_;
    return row;
  }
  sparse_[id.index()] = pack_free(kNoIndex, id.generation() + 1);
  if (free_tail_ == kNoIndex) {
    free_head_ = id.index();
  } else {
    const AgentId tail = AgentId::from_bits(sparse_[free_tail_]);
    sparse_[free_tail_] = pack_free(id.index(), tail.generation());
  }
  free_tail_ = id.index();
  return row;
}

void AgentIndex::reserve(std::size_t agents) {
  sparse_.reserve(agents);
  dense_.reserve(agents);
}

std::size_t AgentIndex::capacity_bytes() const {
  return sparse_.capacity() * sizeof(std::uint32_t) + dense_.capacity() * sizeof(AgentId);
}

void AgentIndex::restore(State state) {
  for (Row row = 0; row < state.dense.size(); ++row) {
    const AgentId id = state.dense[row];
    if (id.index() >= state.sparse.size() || state.sparse[id.index()] != row)
      throw std::invalid_argument("agent index state is inconsistent at row " +
                                  std::to_string(row));
  }
  sparse_ = std::move(state.sparse);
  dense_ = std::move(state.dense);
  free_head_ = state.free_head;
  free_tail_ = state.free_tail;
  retired_ = state.retired;
}

}  // namespace cohort::engine
