#pragma once
// The per-agent part of the accountant: a few bytes per agent in columns, not an object each.

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "cohort/memory/budget.hpp"
#include "cohort/memory/huge_pages.hpp"

namespace cohort::memory {

/// Row of an agent in its population's ledger (the engine keeps it in step with its dense order).
using AgentRow = std::uint32_t;

/// Bytes charged to each agent of one population, in two columns: one 8-byte usage word per agent
/// and 1 byte of flags (9 bytes per agent). Budget overrides are rare, so they live in a side
/// table. Rows are dense and removed by swap-with-last, like the engine's component columns.
///
/// The usage word packs what a charge needs into one load and one store:
///   bits  0..30  used bytes (never above BudgetLimits::kMaxBytes = 2^31 - 1)
///   bit   31     "special": the agent has an override or is reclaim-exhausted (kSpecialFlags)
///   bits 32..63  held bytes (wraps mod 2^32, as a 32-bit column would)
/// A charge adds pack(bytes, held) to the word. That is exact: charges are admitted only while
/// used + bytes <= a limit <= kMaxBytes, so nothing carries out of bits 0..30. The special bit
/// makes the fast budget test (used + bytes <= default soft limit) fail by itself for agents that
/// need the full check, and lets a free test the same word instead of loading the flags byte.
class AgentLedger {
 public:
  enum Flag : std::uint8_t {
    kHasOverride = 1u << 0,       ///< limits come from the override table
    kReclaimExhausted = 1u << 1,  ///< reclaimers could not reach low water; skip them until below
    kRefused = 1u << 2,           ///< this agent has had an allocation refused
    kFirstRung = 1u << 3,         ///< bit (kFirstRung << k) marks: reclaimer k ran for this agent
  };
  /// Flags mirrored in the usage word's special bit: the ones the charge fast paths must notice.
  /// The other flags only mark things for reports.
  static constexpr std::uint8_t kSpecialFlags = kHasOverride | kReclaimExhausted;
  /// The special bit of a usage word.
  static constexpr std::uint64_t kSpecialBit = std::uint64_t{1} << 31;
  static constexpr std::size_t kMaxRungs = 5;
  static constexpr std::size_t kBytesPerAgent = sizeof(std::uint64_t) + sizeof(std::uint8_t);

  /// Throws std::invalid_argument if a limit exceeds BudgetLimits::kMaxBytes.
  explicit AgentLedger(BudgetLimits defaults = BudgetLimits::unlimited());

  std::size_t size() const { return usage_.size(); }
  std::uint32_t used(AgentRow row) const { return used_of(usage_[row]); }
  std::uint32_t held(AgentRow row) const { return held_of(usage_[row]); }
  std::uint8_t flags(AgentRow row) const { return flags_[row]; }

  /// The amount a charge of `bytes` requested and `held` occupied adds to a usage word.
  static constexpr std::uint64_t pack(std::uint64_t bytes, std::uint64_t held) {
    return bytes + (held << 32);
  }
  /// The used bytes of a usage word, or of a charge made by pack() (special bit excluded).
  static constexpr std::uint32_t used_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word & (kSpecialBit - 1));
  }
  /// The used bytes of a usage word with the special bit as bit 31: the value the fast budget
  /// test compares, which exceeds every limit when the bit is set.
  static constexpr std::uint32_t used_with_special(std::uint64_t word) {
    return static_cast<std::uint32_t>(word);
  }
  /// The held bytes of a usage word or of a charge made by pack().
  static constexpr std::uint32_t held_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word >> 32);
  }

  /// Effective limits of `row`.
  const BudgetLimits& limits(AgentRow row) const {
    return (flags_[row] & kHasOverride) ? overrides_.find(row)->second : defaults_;
  }
  const BudgetLimits& default_limits() const { return defaults_; }
  /// Changes the population default. Throws std::invalid_argument if a limit exceeds kMaxBytes.
  void set_default_limits(const BudgetLimits& limits);
  /// Gives one agent its own limits. Throws std::invalid_argument if a limit exceeds kMaxBytes.
  void set_limits(AgentRow row, const BudgetLimits& limits);
  /// Returns an agent to the population default.
  void clear_limits(AgentRow row);

  /// Appends a new agent with nothing charged; returns its row.
  AgentRow push_back();
  /// Removes `row` by moving the last row into it. The agent must have released every byte
  /// first; returns the bytes still charged (0 unless the caller leaked).
  std::uint64_t swap_remove(AgentRow row);
  /// Reorders rows: new row i is old row order[i] (a permutation of [0, size())); overrides
  /// follow their agents. `spare` holds at least size() words; when it holds exactly size(), the
  /// usage words are gathered into it and the two buffers are exchanged (no copy back), so
  /// `spare` comes back holding the old usage column (see capacity_bytes(), which may change).
  void permute(std::span<const AgentRow> order, RowArray<std::uint64_t>& spare);
  void reserve(std::size_t agents);

  /// One agent's entry for checkpoints: what it has charged and its flags. Limits overrides are
  /// the model's to restore (they come from its configuration).
  struct Entry {
    std::uint32_t used;
    std::uint32_t held;
    std::uint8_t flags;
  };
  /// Sets a row's flags (reclaim-exhausted, refused, rungs that ran) from a checkpoint, after the
  /// model re-charged its data; the override flag is left as it is.
  void restore_flags(AgentRow row, std::uint8_t flags);
  /// Bytes this ledger's columns occupy (counted as the population's bookkeeping).
  std::size_t capacity_bytes() const;

 private:
  friend class ChargeContext;

  // Sets or clears flag bits, keeping the usage word's special bit equal to
  // (flags & kSpecialFlags) != 0.
  void set_flags(AgentRow row, std::uint8_t bits) {
    flags_[row] |= bits;
    if (flags_[row] & kSpecialFlags) usage_[row] |= kSpecialBit;
  }
  void clear_flags(AgentRow row, std::uint8_t bits) {
    flags_[row] &= static_cast<std::uint8_t>(~bits);
    if ((flags_[row] & kSpecialFlags) == 0) usage_[row] &= ~kSpecialBit;
  }

  RowArray<std::uint64_t> usage_;  // see the class comment
  std::vector<std::uint8_t> flags_;
  BudgetLimits defaults_;
  std::unordered_map<AgentRow, BudgetLimits> overrides_;
};

}  // namespace cohort::memory
