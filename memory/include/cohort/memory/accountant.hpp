#pragma once
// The accountant: every byte charged to engine > population > agent, by tag.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/memory/charge_context.hpp"
#include "cohort/memory/counters.hpp"
#include "cohort/memory/pool_set.hpp"
#include "cohort/memory/population_account.hpp"
#include "cohort/memory/tags.hpp"

namespace cohort::memory {

class SharedCharge;

/// How an Accountant is set up.
struct AccountantOptions {
  std::size_t threads = 1;  ///< charge contexts, one per worker thread
  PoolMode pool_mode = default_pool_mode();
};

/// Aggregate pool statistics over all threads' PoolSets. Per-class chunks in use are derived from
/// each set's free list when this is built (O(free chunks)); their sum over sets is exact even
/// when threads free each other's chunks.
struct PoolTotals {
  std::array<PoolClassStats, SizeClasses::kCount> classes{};
  LargeStats large{};
};

/// Owns the tags, the population accounts and one ChargeContext per thread.
///
/// Threads charge through their own context; settle() merges every context's deltas into the
/// populations' counters and must be called when no thread is charging (the engine does it at
/// each phase boundary). Between settles a population's settled counters lag the truth by at most
/// the bytes charged since, and an agent's ledger is always exact.
///
/// Peaks: a tag's peak is exact when one thread charged that (population, tag) between two
/// settles, and otherwise an upper bound (the sum of each thread's running high). Population and
/// engine totals' peaks are their high-water at settle points.
class Accountant {
 public:
  explicit Accountant(AccountantOptions options = {});
  Accountant(const Accountant&) = delete;
  Accountant& operator=(const Accountant&) = delete;

  TagRegistry& tags() { return tags_; }
  const TagRegistry& tags() const { return tags_; }

  /// The engine's own account (population index 0, no agents), for engine-level data.
  PopulationAccount& engine_account() { return *populations_.front(); }
  const PopulationAccount& engine_account() const { return *populations_.front(); }

  /// Adds a population account. Names are unique; throws std::invalid_argument otherwise.
  PopulationAccount& add_population(std::string name,
                                    BudgetLimits defaults = BudgetLimits::unlimited());
  /// The population named `name`, or nullptr.
  PopulationAccount* find_population(std::string_view name);
  /// All accounts including the engine's own at index 0.
  std::size_t population_count() const { return populations_.size(); }
  PopulationAccount& population(std::size_t index) { return *populations_[index]; }
  const PopulationAccount& population(std::size_t index) const { return *populations_[index]; }

  /// The charge context of worker `thread` (0-based).
  ChargeContext& context(std::size_t thread = 0) { return *contexts_.at(thread); }
  std::size_t threads() const { return contexts_.size(); }
  /// Adds contexts up to `threads` (never removes: their pools may hold live chunks).
  void ensure_threads(std::size_t threads);

  /// Charges every SharedCharge changed since the last settle, then merges every context's
  /// deltas into the settled counters. Call only when no thread charges.
  void settle();

  /// Settled totals over every population, own and agents, per tag.
  TagCounters engine_total(TagId tag) const;
  /// Settled total over everything.
  TagCounters engine_total() const;
  std::uint64_t peak_used() const { return peak_used_; }
  std::uint64_t peak_held() const { return peak_held_; }

  PoolMode pool_mode() const { return pool_mode_; }
  PoolTotals pool_totals() const;
  /// The process's RSS when this accountant was made (the baseline of report coverage).
  std::uint64_t rss_at_start() const { return rss_at_start_; }

 private:
  friend class SharedCharge;

  TagRegistry tags_;
  PoolMode pool_mode_;
  std::deque<std::unique_ptr<PopulationAccount>> populations_;
  std::vector<std::unique_ptr<ChargeContext>> contexts_;
  std::vector<SharedCharge*> queued_charges_;  // changed since the last settle
  std::uint64_t peak_used_ = 0;
  std::uint64_t peak_held_ = 0;
  std::uint64_t rss_at_start_ = 0;
};

}  // namespace cohort::memory
