#pragma once
// Agent identities: a run-wide 64-bit uid that never changes, and a generational handle (AgentId)
// for O(1) lookup of the agent's current row.

#include <cstdint>
#include <functional>

namespace cohort::engine {

/// An agent's identity for the whole run: unique among all agents of all populations, never
/// reused, kept across checkpoint/resume. Random streams are keyed by it, so an agent draws the
/// same numbers wherever it is stored. Uids of agents are below kPopulationUidBase; the values
/// above name populations (and the world) in random-stream keys.
using Uid = std::uint64_t;
inline constexpr Uid kPopulationUidBase = Uid{1} << 63;
/// The uid that names no agent (a source outside any agent, e.g. a whole-step system).
inline constexpr Uid kNoUid = ~Uid{0};

/// A handle to a live agent of one population: a 32-bit slot index (up to 4,294,967,294 agents
/// per population) and a 32-bit generation that changes each time the slot is reused, so a stale
/// handle never names a new agent. A slot whose generation is exhausted is retired, never wrapped.
class AgentId {
 public:
  static constexpr std::uint32_t kNoIndex = 0xffffffffu;  // reserved for null
  static constexpr std::uint32_t kMaxIndex = kNoIndex - 1;
  static constexpr std::uint32_t kMaxGeneration = 0xffffffffu;

  constexpr AgentId() = default;
  constexpr AgentId(std::uint32_t index, std::uint32_t generation)
      : value_((std::uint64_t{generation} << 32) | index) {}
  static constexpr AgentId from_bits(std::uint64_t bits) {
    AgentId id;
    id.value_ = bits;
    return id;
  }
  /// The id that names no agent.
  static constexpr AgentId null() { return from_bits(~std::uint64_t{0}); }

  constexpr std::uint32_t index() const { return static_cast<std::uint32_t>(value_); }
  constexpr std::uint32_t generation() const { return static_cast<std::uint32_t>(value_ >> 32); }
  constexpr std::uint64_t bits() const { return value_; }
  constexpr bool is_null() const { return value_ == ~std::uint64_t{0}; }

  constexpr bool operator==(const AgentId&) const = default;
  constexpr auto operator<=>(const AgentId&) const = default;

 private:
  std::uint64_t value_ = ~std::uint64_t{0};
};

}  // namespace cohort::engine

template <>
struct std::hash<cohort::engine::AgentId> {
  std::size_t operator()(cohort::engine::AgentId id) const noexcept {
    return std::hash<std::uint64_t>{}(id.bits());
  }
};
