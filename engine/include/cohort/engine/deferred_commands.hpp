#pragma once
// Structural changes (births, deaths) requested during a parallel system, applied at the end of
// the phase in an order that does not depend on threads or rows.

#include <cstdint>
#include <functional>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/effects.hpp"

namespace cohort::engine {

class Population;

/// Initialises a newborn's components once it has a row. Captures what it inherits from its
/// parent by value at emission (the parent may die in the same phase).
using SpawnInit = std::function<void(Population&, Row)>;

/// The births and deaths recorded by one block of one system (one thread at a time).
class DeferredCommands {
 public:
  /// Destroys `agent` of population `population` at the phase end (ignored if already dead).
  void destroy(std::uint16_t population, AgentId agent) {
    entries_.push_back({population, agent, {}, nullptr});
  }
  /// Creates an agent in `population` at the phase end and calls `init` on it; `key` orders the
  /// births (and so the newborns' uids).
  void spawn(std::uint16_t population, EmissionKey key, SpawnInit init) {
    entries_.push_back({population, AgentId::null(), key, std::move(init)});
  }
  /// Emission counter of this block's births (orders one source's births).
  std::uint32_t next_seq() { return seq_++; }
  bool empty() const { return entries_.empty(); }
  void clear() {
    entries_.clear();
    seq_ = 0;
  }

  struct Entry {
    std::uint16_t population;
    AgentId agent;    // null for a spawn
    EmissionKey key;  // for a spawn
    SpawnInit init;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::uint32_t seq_ = 0;
};

}  // namespace cohort::engine
