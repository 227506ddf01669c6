#include "history.hpp"

#include <array>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "cohort/memory/out_of_memory.hpp"

namespace cohort::models::belief {

namespace {

// Column offsets inside a raw block of n entries: values, cells, actions, observations.
struct Layout {
  std::size_t cells, actions, observations;
  explicit Layout(std::size_t n) : cells(8 * n), actions(12 * n), observations(13 * n) {}
};

std::array<std::uint32_t, 8> widths_of(std::uint32_t n) {
  return {8, n, 4, n, 1, n, 1, n};
}

std::vector<std::byte>& seal_buffer(std::size_t bytes) {
  thread_local std::vector<std::byte> buffer;
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer;
}

}  // namespace

HistoryRecord HistoryOps::record(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                                 memory::AgentRow row, HistoryRef& h, const HistoryEntry& e) const {
  if (h.frozen) return HistoryRecord::dropped;
  if (h.open == nullptr) {
    const memory::AllocResult r = ctx.allocate(pop, row, tag, block_bytes());
    memory::throw_if_out_of_memory(ctx, r);
    if (!r) return HistoryRecord::refused;
    h.open = static_cast<std::byte*>(r.ptr);
    h.open_count = 0;
  }
  if (h.open_count == block_entries && !seal(ctx, pop, row, h)) return HistoryRecord::refused;
  const Layout at(block_entries);
  const std::size_t i = h.open_count++;
  std::memcpy(h.open + 8 * i, &e.value, 8);
  std::memcpy(h.open + at.cells + 4 * i, &e.cell, 4);
  h.open[at.actions + i] = std::byte{e.action};
  h.open[at.observations + i] = std::byte{e.observation};
  return HistoryRecord::stored;
}

bool HistoryOps::seal(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                      memory::AgentRow row, HistoryRef& h) const {
  if (h.blocks == nullptr) {
    const memory::AllocResult r = ctx.allocate(pop, row, tag, max_blocks * sizeof(BlockSlot));
    memory::throw_if_out_of_memory(ctx, r);
    if (!r) return false;
    h.blocks = static_cast<BlockSlot*>(r.ptr);
    h.head = h.sealed = 0;
  }
  if (h.sealed == max_blocks) evict_oldest(ctx, pop, row, h);  // the ring's capacity
  const std::size_t raw = block_bytes();
  const auto widths = widths_of(block_entries);
  std::vector<std::byte>& packed = seal_buffer(compress_bound(codec, raw));
  std::size_t n = compress_block(codec, std::span<const std::byte>(h.open, raw), widths, packed);
  const bool keep_raw = n == 0 || n >= raw;  // a block that does not shrink is stored raw
  if (keep_raw) n = raw;
  const memory::AllocResult r = ctx.allocate(pop, row, tag, n);
  // The allocation may have run reclaimers that evicted blocks: the ring is re-read below.
  memory::throw_if_out_of_memory(ctx, r);
  if (!r) return false;
  std::memcpy(r.ptr, keep_raw ? h.open : packed.data(), n);
  BlockSlot& slot = h.blocks[(h.head + h.sealed) % max_blocks];
  slot = {r.ptr, static_cast<std::uint32_t>(n), block_entries,
          static_cast<std::uint16_t>(keep_raw ? 1 : 0)};
  ++h.sealed;
  h.open_count = 0;
  return true;
}

std::size_t HistoryOps::evict_oldest(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                                     memory::AgentRow row, HistoryRef& h) const {
  if (h.sealed == 0) return 0;
  BlockSlot& slot = h.blocks[h.head];
  const std::size_t bytes = slot.bytes;
  ctx.deallocate(pop, row, tag, slot.data, bytes);
  slot = BlockSlot{};
  h.head = static_cast<std::uint16_t>((h.head + 1) % max_blocks);
  --h.sealed;
  return bytes;
}

void HistoryOps::read_open(const std::byte* block, std::size_t count,
                           std::vector<HistoryEntry>& out) const {
  const Layout at(block_entries);
  for (std::size_t i = 0; i < count; ++i) {
    HistoryEntry e;
    std::memcpy(&e.value, block + 8 * i, 8);
    std::memcpy(&e.cell, block + at.cells + 4 * i, 4);
    e.action = static_cast<std::uint8_t>(block[at.actions + i]);
    e.observation = static_cast<std::uint8_t>(block[at.observations + i]);
    out.push_back(e);
  }
}

void HistoryOps::read(const HistoryRef& h, std::vector<HistoryEntry>& out) const {
  out.clear();
  std::vector<std::byte> raw(block_bytes());
  const auto widths = widths_of(block_entries);
  for (std::size_t k = 0; k < h.sealed; ++k) {
    const BlockSlot& slot = h.blocks[(h.head + k) % max_blocks];
    const auto* data = static_cast<const std::byte*>(slot.data);
    if (slot.raw)
      std::memcpy(raw.data(), data, raw.size());
    else if (!decompress_block(codec, std::span(data, slot.bytes), widths, raw))
      throw std::runtime_error("history block is corrupt");
    read_open(raw.data(), slot.entries, out);
  }
  if (h.open != nullptr) read_open(h.open, h.open_count, out);
}

HistoryStats HistoryOps::stats(const HistoryRef& h) const {
  HistoryStats s;
  s.entries = h.open_count;
  if (h.open != nullptr) s.bytes += block_bytes();
  if (h.blocks != nullptr) s.bytes += max_blocks * sizeof(BlockSlot);
  for (std::size_t k = 0; k < h.sealed; ++k) {
    const BlockSlot& slot = h.blocks[(h.head + k) % max_blocks];
    s.entries += slot.entries;
    s.sealed_raw_bytes += slot.entries * kEntryBytes;
    s.sealed_bytes += slot.bytes;
    s.bytes += slot.bytes;
  }
  return s;
}

void HistoryOps::save(const HistoryRef& h, engine::CheckpointWriter& out) const {
  out.put(h.frozen);
  out.put(h.evicted);
  out.put<std::uint8_t>(h.open != nullptr ? 1 : 0);
  if (h.open != nullptr) {
    out.put(h.open_count);
    out.put_bytes(h.open, block_bytes());
  }
  out.put<std::uint8_t>(h.blocks != nullptr ? 1 : 0);
  if (h.blocks == nullptr) return;
  out.put(h.head);
  out.put(h.sealed);
  for (std::size_t k = 0; k < h.sealed; ++k) {
    const BlockSlot& slot = h.blocks[(h.head + k) % max_blocks];
    out.put(slot.entries);
    out.put(slot.raw);
    out.put(slot.bytes);
    out.put_bytes(slot.data, slot.bytes);
  }
}

void HistoryOps::load(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                      memory::AgentRow row, HistoryRef& h, engine::CheckpointReader& in) const {
  const auto corrupt = [&](const std::string& what) {
    return engine::CheckpointError("checkpoint is corrupt: history of explorer row " +
                                   std::to_string(row) + ": " + what);
  };
  const auto allocate = [&](std::size_t bytes) {
    const memory::AllocResult r = ctx.allocate(pop, row, tag, bytes);
    if (!r) throw std::bad_alloc();
    return r.ptr;
  };
  h = HistoryRef{};
  h.frozen = in.get<std::uint8_t>("history frozen flag");
  h.evicted = in.get<std::uint8_t>("history evicted flag");
  if (h.frozen > 1 || h.evicted > 1) throw corrupt("a flag is neither 0 nor 1");
  if (in.get<std::uint8_t>("history open block flag") != 0) {
    h.open_count = in.get<std::uint16_t>("history open count");
    if (h.open_count > block_entries) throw corrupt("the open block holds too many entries");
    h.open = static_cast<std::byte*>(allocate(block_bytes()));
    in.get_bytes(h.open, block_bytes(), "history open block");
  }
  if (in.get<std::uint8_t>("history ring flag") == 0) return;
  h.blocks = static_cast<BlockSlot*>(allocate(max_blocks * sizeof(BlockSlot)));
  for (std::size_t k = 0; k < max_blocks; ++k)
    h.blocks[k] = BlockSlot{};
  const auto head = in.get<std::uint16_t>("history ring head");
  const auto sealed = in.get<std::uint16_t>("history sealed blocks");
  if (head >= max_blocks || sealed > max_blocks) throw corrupt("ring head or size out of range");
  h.head = head;
  std::vector<std::byte> raw(block_bytes());
  const auto widths = widths_of(block_entries);
  for (std::size_t k = 0; k < sealed; ++k) {
    BlockSlot slot;
    slot.entries = in.get<std::uint16_t>("history block entries");
    slot.raw = in.get<std::uint16_t>("history block raw flag");
    slot.bytes = in.get<std::uint32_t>("history block size");
    if (slot.entries != block_entries || slot.raw > 1 ||
        slot.bytes > compress_bound(codec, block_bytes()) ||
        (slot.raw == 1 && slot.bytes != block_bytes()) || slot.bytes == 0)
      throw corrupt("block " + std::to_string(k) + " has an impossible size");
    slot.data = allocate(slot.bytes);
    h.blocks[(h.head + k) % max_blocks] = slot;  // owned by h from here (freed on failure)
    ++h.sealed;
    in.get_bytes(slot.data, slot.bytes, "history block");
    if (slot.raw == 0 &&
        !decompress_block(codec, std::span(static_cast<const std::byte*>(slot.data), slot.bytes),
                          widths, raw))
      throw corrupt("block " + std::to_string(k) + " does not decompress");
  }
}

void HistoryOps::release(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                         memory::AgentRow row, HistoryRef& h) const {
  while (h.sealed > 0)
    evict_oldest(ctx, pop, row, h);
  if (h.blocks != nullptr) ctx.deallocate(pop, row, tag, h.blocks, max_blocks * sizeof(BlockSlot));
  if (h.open != nullptr) ctx.deallocate(pop, row, tag, h.open, block_bytes());
  h.blocks = nullptr;
  h.open = nullptr;
  h.open_count = h.head = h.sealed = 0;
}

}  // namespace cohort::models::belief
