#pragma once
// An agent's experience as a ring of blocks in pooled memory: the newest entries in one raw block,
// older ones in compressed blocks (stored raw when compression does not shrink them), dropped
// oldest block first when the ring's capacity is reached or a reclaimer asks for bytes.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "block_codec.hpp"
#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/memory/charge_context.hpp"

namespace cohort::models::belief {

/// One step of an agent's experience.
struct HistoryEntry {
  double value = 0;         ///< expected free energy G of the chosen action (best policy)
  std::uint32_t cell = 0;   ///< the true cell the observation came from
  std::uint8_t action = 0;  ///< the action chosen
  std::uint8_t observation = 0;
  bool operator==(const HistoryEntry&) const = default;
};
/// Bytes of one entry in a raw block (columns: value, cell, action, observation).
inline constexpr std::size_t kEntryBytes = 8 + 4 + 1 + 1;

/// A sealed block: its pooled bytes and how many entries it holds (16 bytes).
struct BlockSlot {
  void* data = nullptr;
  std::uint32_t bytes = 0;  ///< bytes stored (== raw size when kept raw)
  std::uint16_t entries = 0;
  std::uint16_t raw = 0;  ///< 1: stored uncompressed
};

/// Per-agent component (24 bytes).
struct HistoryRef {
  std::byte* open = nullptr;     ///< pooled raw block being filled
  BlockSlot* blocks = nullptr;   ///< pooled ring of sealed blocks (max_blocks slots)
  std::uint16_t open_count = 0;  ///< entries in `open`
  std::uint16_t head = 0;        ///< ring slot of the oldest sealed block
  std::uint16_t sealed = 0;      ///< sealed blocks held
  std::uint8_t frozen = 0;       ///< 1: recording stopped by a refusal
  std::uint8_t evicted = 0;      ///< 1: a reclaimer evicted a block of this agent
};

/// Outcome of recording an entry.
enum class HistoryRecord : std::uint8_t { stored, dropped, refused };

/// Totals of a history for reports.
struct HistoryStats {
  std::uint64_t entries = 0;
  std::uint64_t sealed_raw_bytes = 0;  ///< what sealed blocks would take raw
  std::uint64_t sealed_bytes = 0;      ///< what they take stored
  std::uint64_t bytes = 0;             ///< every byte charged (open block, ring, sealed blocks)
};

/// History operations of one population, charged under `tag` (history).
struct HistoryOps {
  memory::TagId tag = 0;
  Codec codec = Codec::lz4;
  std::uint16_t block_entries = 128;  ///< entries per block
  std::uint16_t max_blocks = 16;      ///< sealed blocks kept: capacity / block_entries

  std::size_t block_bytes() const { return block_entries * kEntryBytes; }
  /// Appends an entry; a full open block is sealed first (compressed, evicting the oldest block
  /// if the ring is full). Frozen histories drop the entry. Refused: nothing was added.
  HistoryRecord record(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                       memory::AgentRow row, HistoryRef& h, const HistoryEntry& e) const;
  /// Frees the oldest sealed block; returns the bytes freed (0 if there is none).
  std::size_t evict_oldest(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                           memory::AgentRow row, HistoryRef& h) const;
  /// Every retained entry, oldest first. Throws std::runtime_error on a corrupt block.
  void read(const HistoryRef& h, std::vector<HistoryEntry>& out) const;
  HistoryStats stats(const HistoryRef& h) const;
  /// Writes the history block for block as it is stored (compressed bytes, the ring's slots and
  /// the open block), so load() rebuilds the same chunks and the same accounted bytes.
  void save(const HistoryRef& h, engine::CheckpointWriter& out) const;
  /// Rebuilds a history saved by save() into an empty `h`, charging row `row`. Every value read
  /// is checked (counts, sizes, that each block decompresses); a bad one throws CheckpointError.
  void load(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
            HistoryRef& h, engine::CheckpointReader& in) const;
  /// Frees everything (the frozen flag is kept).
  void release(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
               HistoryRef& h) const;

 private:
  bool seal(memory::ChargeContext& ctx, memory::PopulationAccount& pop, memory::AgentRow row,
            HistoryRef& h) const;
  void read_open(const std::byte* block, std::size_t count, std::vector<HistoryEntry>& out) const;
};

}  // namespace cohort::models::belief
