#pragma once
// Generational agent ids packed in 32 bits, so the id columns cost 8 bytes per agent in all.

#include <cstdint>
#include <functional>

namespace cohort::engine {

/// An agent's identity: a 24-bit index (up to 16,777,215 live agents per population) and an
/// 8-bit generation that changes each time the index is reused, so a stale id never names a new
/// agent. An index whose generation is exhausted is retired, never silently wrapped.
class AgentId {
 public:
  static constexpr std::uint32_t kIndexBits = 24;
  static constexpr std::uint32_t kIndexMask = (1u << kIndexBits) - 1;
  static constexpr std::uint32_t kMaxIndex = kIndexMask - 1;  // kIndexMask is reserved for null
  static constexpr std::uint32_t kMaxGeneration = 0xff;

  constexpr AgentId() = default;
  constexpr AgentId(std::uint32_t index, std::uint32_t generation)
      : value_((generation << kIndexBits) | (index & kIndexMask)) {}
  static constexpr AgentId from_bits(std::uint32_t bits) {
    AgentId id;
    id.value_ = bits;
    return id;
  }
  /// The id that names no agent.
  static constexpr AgentId null() { return from_bits(0xffffffffu); }

  constexpr std::uint32_t index() const { return value_ & kIndexMask; }
  constexpr std::uint32_t generation() const { return value_ >> kIndexBits; }
  constexpr std::uint32_t bits() const { return value_; }
  constexpr bool is_null() const { return value_ == 0xffffffffu; }

  constexpr bool operator==(const AgentId&) const = default;
  constexpr auto operator<=>(const AgentId&) const = default;

 private:
  std::uint32_t value_ = 0xffffffffu;
};

}  // namespace cohort::engine

template <>
struct std::hash<cohort::engine::AgentId> {
  std::size_t operator()(cohort::engine::AgentId id) const noexcept {
    return std::hash<std::uint32_t>{}(id.bits());
  }
};
