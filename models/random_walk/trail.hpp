#pragma once
// A walker's trail: a ring of recently visited cells in one pooled buffer that doubles as the
// walker moves, up to a capacity, and can be shrunk by a reclaimer.

#include <cstdint>

#include "cohort/memory/charge_context.hpp"

namespace cohort::models {

/// Largest trail, in cells (4 KiB of cell indices).
inline constexpr std::uint16_t kMaxTrailCapacity = 1024;

/// Per-walker component: where its trail buffer is and how full it is (16 bytes).
struct Trail {
  std::uint32_t* cells = nullptr;  ///< pooled buffer of `capacity` cell indices
  std::uint16_t capacity = 0;
  std::uint16_t length = 0;  ///< entries held (<= capacity)
  std::uint16_t head = 0;    ///< slot of the oldest entry
  std::uint16_t frozen = 0;  ///< 1 once a refusal froze the trail's growth

  std::size_t bytes() const { return std::size_t{capacity} * sizeof(std::uint32_t); }
  /// The i-th oldest cell.
  std::uint32_t at(std::uint16_t i) const { return cells[(head + i) % capacity]; }
};

/// Outcome of recording a cell.
enum class TrailRecord : std::uint8_t { stored, refused };

/// Operations on trails; `tag` is the memory tag they are charged under.
struct TrailOps {
  memory::TagId tag;
  std::uint16_t max_capacity;

  /// Records `cell`, growing the buffer (4, 8, 16, ... up to max_capacity) when full; a full
  /// trail at max capacity or frozen overwrites its oldest entry.
  TrailRecord record(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                     memory::AgentRow row, Trail& trail, std::uint32_t cell) const;
  /// Keeps only the newest `keep` entries in a buffer of that capacity.
  void shrink(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
              Trail& trail, std::uint16_t keep) const;
  /// Frees the buffer.
  void release(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
               Trail& trail) const;

 private:
  bool resize(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
              Trail& trail, std::uint16_t capacity) const;
};

}  // namespace cohort::models
