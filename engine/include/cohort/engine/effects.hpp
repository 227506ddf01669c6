#pragma once
// Cross-agent effects: a system emits a payload addressed to any agent of a population (a hit, a
// push, an infection), on this rank or, in a distributed run, on another; the engine applies all
// of them at the phase end in an order that depends only on (target, source uid, system,
// emission order), never on threads, blocks, rows or ranks.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/rank_group.hpp"

namespace cohort::engine {

class Population;
class World;

/// Handle to an effect channel carrying payloads of type T (see World::add_effect).
template <class T>
struct Effect {
  std::uint32_t channel = 0xffffffffu;
};

/// What identifies one emission for ordering: layout-independent except `seq`, which only orders
/// the emissions of one source within one system (they run on one thread, in program order).
struct EmissionKey {
  Uid source = kNoUid;
  std::uint32_t system = 0;
  std::uint32_t seq = 0;

  friend bool operator<(const EmissionKey& a, const EmissionKey& b) {
    if (a.source != b.source) return a.source < b.source;
    if (a.system != b.system) return a.system < b.system;
    return a.seq < b.seq;
  }
};

/// The type-independent part of a channel, driven by the world at each phase end.
class EffectChannelBase {
 public:
  EffectChannelBase(std::string name, std::uint16_t target)
      : name_(std::move(name)), target_(target) {}
  virtual ~EffectChannelBase() = default;
  const std::string& name() const { return name_; }
  std::uint16_t target() const { return target_; }
  /// Applies every pending effect (tasks run on the world's threads) and empties the channel.
  virtual void apply(World& world) = 0;
  virtual void resize_threads(std::size_t threads) = 0;
  /// Effects emitted since the last apply (all threads).
  virtual std::size_t pending() const = 0;

 private:
  std::string name_;
  std::uint16_t target_;
};

/// Target handle slots per apply task: effects on agents of different tasks are applied in
/// parallel (an agent's effects all fall in the task of its slot).
inline constexpr std::uint32_t kEffectApplySlots = 4096;

/// A channel's storage: per thread, one bucket per block of kEffectApplySlots target slots,
/// appended to without locks while systems run. Bucketing at emission spares the phase end a
/// counting pass and a scatter of every entry; a thread keeps one open line per bucket it
/// writes, which stays in cache.
template <class T>
class EffectChannel : public EffectChannelBase {
 public:
  struct Entry {
    AgentId target;  // resolved to a row at the phase end: emitting touches no target memory
    EmissionKey key;
    T payload;
  };
  using EffectChannelBase::EffectChannelBase;

  /// An effect for an agent that rank `rank` owns, `target` being its handle there: sent at the
  /// phase end (deliver) and applied there in the order of (target, emission key), the order it
  /// would have had had the source lived on that rank.
  void push_remote(std::size_t thread, int rank, AgentId target, EmissionKey key,
                   const T& payload) {
    std::vector<std::vector<Entry>>& out = outbox_[thread];
    const auto to = static_cast<std::size_t>(rank);
    if (to >= out.size()) out.resize(to + 1);
    out[to].push_back({target, key, payload});
  }
  void push(std::size_t thread, AgentId target, EmissionKey key, const T& payload) {
    std::vector<std::vector<Entry>>& buckets = buffers_[thread];
    const std::size_t block = target.index() / kEffectApplySlots;
    if (block >= buckets.size()) [[unlikely]] {
      if (target.is_null()) return;  // names no agent: nothing to apply it to
      buckets.resize(block + 1);
    }
    buckets[block].push_back({target, key, payload});
  }
  std::uint32_t next_seq(std::size_t thread) { return seq_[thread]++; }
  void resize_threads(std::size_t threads) override {
    buffers_.resize(threads);
    outbox_.resize(threads);
    seq_.resize(threads, 0);
  }
  std::size_t pending() const override {
    std::size_t n = 0;
    for (const auto& buckets : buffers_)
      for (const auto& b : buckets)
        n += b.size();
    for (const auto& per_rank : outbox_)
      for (const auto& b : per_rank)
        n += b.size();
    return n;
  }

 protected:
  /// Sends every entry for another rank to it, and files those that arrive as if emitted here
  /// (their keys travel with them, so the apply order is the single-process one). Collective:
  /// every rank calls it at every phase end, in channel order.
  void deliver(const RankGroup& ranks) {
    const auto n = static_cast<std::size_t>(ranks.size());
    RankMessages out(n);
    for (std::vector<std::vector<Entry>>& per_rank : outbox_) {
      for (std::size_t r = 0; r < per_rank.size(); ++r) {
        if (per_rank[r].empty()) continue;
        if (r >= n)
          throw std::out_of_range("effect channel '" + name() + "': an effect for rank " +
                                  std::to_string(r) + " of " + std::to_string(n));
        if constexpr (std::is_trivially_copyable_v<Entry>) {
          const auto bytes = std::as_bytes(std::span<const Entry>(per_rank[r]));
          out[r].insert(out[r].end(), bytes.begin(), bytes.end());
        }
        per_rank[r].clear();
      }
    }
    const RankMessages in = ranks.exchange(out);
    if constexpr (std::is_trivially_copyable_v<Entry> && std::is_default_constructible_v<Entry>) {
      for (const std::vector<std::byte>& message : in) {
        if (message.size() % sizeof(Entry) != 0)
          throw std::logic_error("effect channel '" + name() + "': a message of " +
                                 std::to_string(message.size()) + " bytes is not whole entries");
        for (std::size_t at = 0; at < message.size(); at += sizeof(Entry)) {
          Entry e;
          std::memcpy(static_cast<void*>(&e), message.data() + at, sizeof(Entry));
          push(0, e.target, e.key, e.payload);
        }
      }
    }  // other payloads never travel: emit_to_rank requires trivially copyable ones
  }

  std::vector<std::vector<std::vector<Entry>>> buffers_;  // [thread][slot block]
  std::vector<std::vector<std::vector<Entry>>> outbox_;   // [thread][destination rank]
  std::vector<std::uint32_t> seq_;
};

/// Orders the entries of one slot block, spread over `parts` (one bucket per emitting thread), by
/// (target, emission key) and calls apply(entry) in that order. `order`, `count` and `start` are
/// scratch. Counting sort by target slot, then an insertion sort of each target's (usually few)
/// entries by key; keys are unique, so the result does not depend on how entries were split.
template <class Entry, class Apply>
void apply_block_in_order(std::span<const std::span<const Entry>> parts, std::uint32_t first_slot,
                          std::vector<const Entry*>& order, std::vector<std::uint32_t>& count,
                          std::vector<std::uint32_t>& start, Apply&& apply) {
  count.assign(kEffectApplySlots + 1, 0);
  std::size_t n = 0;
  for (const std::span<const Entry> part : parts) {
    n += part.size();
    for (const Entry& e : part)
      ++count[e.target.index() - first_slot + 1];
  }
  for (std::size_t r = 0; r < kEffectApplySlots; ++r)
    count[r + 1] += count[r];
  order.resize(n);
  start.assign(count.begin(), count.end() - 1);
  for (const std::span<const Entry> part : parts)
    for (const Entry& e : part)
      order[start[e.target.index() - first_slot]++] = &e;
  for (std::size_t r = 0; r < kEffectApplySlots; ++r) {
    const std::uint32_t b = count[r], e = count[r + 1];
    for (std::uint32_t i = b + 1; i < e; ++i) {  // insertion sort of one row's entries
      const Entry* v = order[i];
      std::uint32_t j = i;
      while (j > b && v->key < order[j - 1]->key) {
        order[j] = order[j - 1];
        --j;
      }
      order[j] = v;
    }
    for (std::uint32_t i = b; i < e; ++i)
      apply(*order[i]);
  }
}

}  // namespace cohort::engine
