#include "cohort/memory/accountant.hpp"

#include "cohort/memory/process_memory.hpp"
#include "cohort/memory/shared_charge.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace cohort::memory {

namespace {
std::uint64_t apply(std::uint64_t value, std::int64_t change) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(value) + change);
}
}  // namespace

Accountant::Accountant(AccountantOptions options)
    : pool_mode_(options.pool_mode), rss_at_start_(ProcessMemory::current_rss()) {
  populations_.push_back(
      std::make_unique<PopulationAccount>("engine", 0, BudgetLimits::unlimited()));
  ensure_threads(std::max<std::size_t>(1, options.threads));
}

PopulationAccount& Accountant::add_population(std::string name, BudgetLimits defaults) {
  if (name.empty()) throw std::invalid_argument("population name must not be empty");
  if (find_population(name) != nullptr)
    throw std::invalid_argument("a population named '" + name + "' already exists");
  const auto index = static_cast<std::uint32_t>(populations_.size());
  populations_.push_back(std::make_unique<PopulationAccount>(std::move(name), index, defaults));
  for (auto& ctx : contexts_)
    ctx->ensure_population(index);
  return *populations_.back();
}

PopulationAccount* Accountant::find_population(std::string_view name) {
  for (auto& p : populations_)
    if (p->name() == name) return p.get();
  return nullptr;
}

void Accountant::ensure_threads(std::size_t threads) {
  while (contexts_.size() < threads) {
    contexts_.push_back(std::make_unique<ChargeContext>(tags_, pool_mode_));
    contexts_.back()->ensure_population(static_cast<std::uint32_t>(populations_.size() - 1));
  }
}

void Accountant::settle() {
  for (SharedCharge* charge : queued_charges_)
    charge->apply();
  queued_charges_.clear();
  // One thread's pools have nobody to share with: no list to allocate at every phase end.
  if (contexts_.size() > 1) {
    std::vector<PoolSet*> sets;
    for (auto& ctx : contexts_)
      sets.push_back(&ctx->pools());
    rebalance_pools(sets.data(), sets.size());
  }
  std::uint64_t engine_used = 0;
  std::uint64_t engine_held = 0;
  for (auto& pop : populations_) {
    // Only the deltas some context wrote (or a slot may have): a step touches a few of the 64.
    std::uint64_t visit = 0;
    for (auto& ctx : contexts_)
      visit |= ctx->take_touched(pop->index_);
    for (; visit != 0; visit &= visit - 1) {
      const auto bit = static_cast<std::size_t>(std::countr_zero(visit));
      const auto tag = static_cast<TagId>(bit % TagRegistry::kMaxTags);
      TagCounters& c = pop->counters_[bit / TagRegistry::kMaxTags][tag];
      const std::uint64_t used_before = c.used;
      const std::uint64_t held_before = c.held;
      std::int64_t used_high = 0;
      std::int64_t held_high = 0;
      for (auto& ctx : contexts_) {
        TagDelta& d = (*ctx->deltas_[pop->index_])[bit];  // read without marking it again
        if (d.empty()) continue;
        used_high += d.used_high;
        held_high += d.held_high;
        c.peak_used = std::max(c.peak_used, apply(c.used, used_high));
        c.peak_held = std::max(c.peak_held, apply(c.held, held_high));
        c.used = apply(c.used, d.used());
        c.held = apply(c.held, d.held());
        used_high -= d.used();  // later threads' highs start from the merged value
        held_high -= d.held();
        c.allocations += d.allocations;
        c.frees += d.frees;
        c.refusals += d.refusals;
        c.reclaimed += d.reclaimed;
        d = TagDelta{};
      }
      // Unsigned: the sums move by the difference, whichever its sign (modular arithmetic).
      pop->used_[bit / TagRegistry::kMaxTags] += c.used - used_before;
      pop->held_ += c.held - held_before;
    }
    const std::uint64_t pop_used = pop->used_[0] + pop->used_[1];
    const std::uint64_t pop_held = pop->held_;
    for (auto& ctx : contexts_) {
      auto& rungs = ctx->rung_deltas_[pop->index_];
      for (std::size_t k = 0; k < rungs.size(); ++k) {
        pop->rungs_[k].runs += rungs[k].runs;
        pop->rungs_[k].bytes += rungs[k].bytes;
        rungs[k] = {};
      }
    }
    pop->peak_used_ = std::max(pop->peak_used_, pop_used);
    pop->peak_held_ = std::max(pop->peak_held_, pop_held);
    engine_used += pop_used;
    engine_held += pop_held;
  }
  peak_used_ = std::max(peak_used_, engine_used);
  peak_held_ = std::max(peak_held_, engine_held);
}

TagCounters Accountant::engine_total(TagId tag) const {
  TagCounters sum;
  for (const auto& pop : populations_) {
    sum += pop->counters(Scope::agents, tag);
    sum += pop->counters(Scope::population, tag);
  }
  return sum;
}

TagCounters Accountant::engine_total() const {
  TagCounters sum;
  for (const auto& pop : populations_) {
    sum += pop->total(Scope::agents);
    sum += pop->total(Scope::population);
  }
  return sum;
}

PoolTotals Accountant::pool_totals() const {
  PoolTotals totals;
  for (const auto& ctx : contexts_) {
    for (std::size_t c = 0; c < SizeClasses::kCount; ++c) {
      const PoolClassStats& s = ctx->pools().class_stats(static_cast<SizeClass>(c));
      PoolClassStats& t = totals.classes[c];
      t.allocations += s.allocations;
      t.misses += s.misses;
      t.chunks_in_use += s.chunks_in_use;
      t.blocks += s.blocks;
      t.block_bytes += s.block_bytes;
      t.chunks_reserved += s.chunks_reserved;
    }
    const LargeStats& l = ctx->pools().large_stats();
    totals.large.allocations += l.allocations;
    totals.large.bytes_in_use += l.bytes_in_use;
    totals.large.in_use += l.in_use;
  }
  return totals;
}

}  // namespace cohort::memory
