#pragma once
// Structural changes (births, deaths) requested during a parallel system, applied at the end of
// the phase in a deterministic order.

#include <cstdint>
#include <functional>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/agent_index.hpp"

namespace cohort::engine {

class Population;

/// Initialises a newborn's components once it has a row.
using SpawnInit = std::function<void(Population&, Row)>;

/// The commands recorded by one block of one system. Each block is processed by exactly one
/// thread, and blocks are applied in block order, so the result does not depend on the thread
/// count or timing.
class DeferredCommands {
 public:
  /// Destroys `agent` of population `population` at the phase end (ignored if already dead).
  void destroy(std::uint16_t population, AgentId agent) {
    entries_.push_back({population, agent, nullptr});
  }
  /// Creates an agent in `population` at the phase end and calls `init` on it.
  void spawn(std::uint16_t population, SpawnInit init) {
    entries_.push_back({population, AgentId::null(), std::move(init)});
  }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }

  struct Entry {
    std::uint16_t population;
    AgentId agent;  // null for a spawn
    SpawnInit init;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace cohort::engine
