#include "trail.hpp"

#include <algorithm>
#include <array>

#include "cohort/memory/out_of_memory.hpp"

namespace cohort::models {

bool TrailOps::resize(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                      memory::AgentRow row, Trail& trail, std::uint16_t capacity) const {
  const memory::AllocResult r = ctx.allocate(pop, row, tag, capacity * sizeof(std::uint32_t));
  memory::throw_if_out_of_memory(ctx, r);
  if (!r) return false;
  auto* cells = static_cast<std::uint32_t*>(r.ptr);
  // Copy the newest entries that fit, oldest first.
  const std::uint16_t keep = std::min(trail.length, capacity);
  for (std::uint16_t i = 0; i < keep; ++i)
    cells[i] = trail.at(trail.length - keep + i);
  if (trail.cells != nullptr) ctx.deallocate(pop, row, tag, trail.cells, trail.bytes());
  trail.cells = cells;
  trail.capacity = capacity;
  trail.length = keep;
  trail.head = 0;
  return true;
}

TrailRecord TrailOps::record(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                             memory::AgentRow row, Trail& trail, std::uint32_t cell) const {
  TrailRecord result = TrailRecord::stored;
  if (trail.length == trail.capacity && trail.capacity < max_capacity && trail.frozen == 0) {
    const auto grown = static_cast<std::uint16_t>(
        std::min<unsigned>(max_capacity, std::max<unsigned>(4, trail.capacity * 2u)));
    if (!resize(ctx, pop, row, trail, grown)) result = TrailRecord::refused;
  }
  if (trail.capacity == 0) return result;
  if (trail.length < trail.capacity) {
    trail.cells[(trail.head + trail.length) % trail.capacity] = cell;
    ++trail.length;
  } else {
    trail.cells[trail.head] = cell;
    trail.head = static_cast<std::uint16_t>((trail.head + 1) % trail.capacity);
  }
  return result;
}

void TrailOps::shrink(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                      memory::AgentRow row, Trail& trail, std::uint16_t keep) const {
  if (keep >= trail.capacity) return;
  // Free before allocating the smaller buffer, so shrinking works even at the hard limit.
  std::array<std::uint32_t, kMaxTrailCapacity> kept;
  const std::uint16_t n = std::min(trail.length, keep);
  for (std::uint16_t i = 0; i < n; ++i)
    kept[i] = trail.at(trail.length - n + i);
  release(ctx, pop, row, trail);
  if (keep == 0) return;
  const memory::AllocResult r = ctx.allocate(pop, row, tag, keep * sizeof(std::uint32_t));
  memory::throw_if_out_of_memory(ctx,
                                 r);  // the trail stays released: nothing leaks or is counted twice
  if (!r) return;  // no refusal below the old size; the trail is simply empty then
  trail.cells = static_cast<std::uint32_t*>(r.ptr);
  std::copy_n(kept.begin(), n, trail.cells);
  trail.capacity = keep;
  trail.length = n;
}

void TrailOps::release(memory::ChargeContext& ctx, memory::PopulationAccount& pop,
                       memory::AgentRow row, Trail& trail) const {
  if (trail.cells != nullptr) ctx.deallocate(pop, row, tag, trail.cells, trail.bytes());
  trail.cells = nullptr;
  trail.capacity = trail.length = trail.head = 0;
}

}  // namespace cohort::models
