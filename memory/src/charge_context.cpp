#include "cohort/memory/charge_context.hpp"

#include <stdexcept>
#include <string>

namespace cohort::memory {

ChargeContext::ChargeContext(const TagRegistry& tags, PoolMode mode) : tags_(&tags), pools_(mode) {}

void ChargeContext::ensure_population(std::uint32_t index) {
  while (deltas_.size() <= index)
    deltas_.push_back(std::make_unique<PopulationDeltas>());
  touched_.resize(deltas_.size());
  slotted_.resize(deltas_.size());
  if (rung_deltas_.size() <= index) rung_deltas_.resize(std::size_t{index} + 1);
}

ChargeSlot ChargeContext::slot(PopulationAccount& pop, TagId tag, std::size_t bytes) {
  if (tag >= tags_->size())
    throw std::out_of_range("charge slot: tag " + std::to_string(tag) + " is not registered");
  if (pop.index_ >= deltas_.size())
    throw std::out_of_range("charge slot: population '" + pop.name() +
                            "' is not known to this context");
  if (!pop.tracks_agents())
    throw std::logic_error("population '" + pop.name() +
                           "' keeps no per-agent ledger (agent_ledger = false), so its agents "
                           "cannot be charged; create it with agent_ledger = true");
  ChargeSlot s;
  s.ledger_ = &pop.ledger_;
  s.pool_ = pools_.pool_for(bytes);
  s.delta_ = &agent_delta(pop, tag);
  slotted_[pop.index_] |= std::uint64_t{1} << tag;
  s.pop_ = &pop;
  s.bytes_ = bytes;
  s.held_ = s.pool_ != nullptr ? s.pool_->chunk_bytes() : pools_.held_for(bytes);
  // Read only when pool_ is set, so bytes and held are at most kMaxPooledBytes here; larger
  // requests (any size) take the general path.
  s.charge_ = s.pool_ != nullptr ? AgentLedger::pack(bytes, s.held_) : 0;
  s.owner_ = this;
  s.tag_ = tag;
  return s;
}

AllocResult ChargeContext::allocate_checked(PopulationAccount& pop, AgentRow row, TagId tag,
                                            std::size_t bytes) {
  if (!restoring_ && over_soft(pop.ledger_, row, bytes)) {
    const ChargeStatus status = admit_over_soft(pop, row, tag, bytes);
    if (status != ChargeStatus::ok) return {nullptr, status};
  }
  const Chunk chunk = pools_.allocate(bytes);
  if (chunk.ptr == nullptr) {
    // Recorded so the model's BudgetExceeded(last_refusal()) says the system ran out of memory,
    // not an earlier agent's refusal (or an empty one).
    last_refusal_ = {&pop, row, tag, bytes, pop.ledger_.used(row), 0, true};
    return {nullptr, ChargeStatus::upstream_failed};
  }
  commit(pop, row, tag, bytes, chunk.held);
  return {chunk.ptr, ChargeStatus::ok};
}

ChargeStatus ChargeContext::charge_checked(PopulationAccount& pop, AgentRow row, TagId tag,
                                           std::size_t bytes, std::size_t held) {
  if (!restoring_ && over_soft(pop.ledger_, row, bytes)) {
    const ChargeStatus status = admit_over_soft(pop, row, tag, bytes);
    if (status != ChargeStatus::ok) return status;
  }
  commit(pop, row, tag, bytes, held);
  return ChargeStatus::ok;
}

ChargeStatus ChargeContext::admit_over_soft(PopulationAccount& pop, AgentRow row, TagId tag,
                                            std::size_t bytes) {
  AgentLedger& ledger = pop.ledger_;
  const BudgetLimits limits = ledger.limits(row);  // a copy: reclaimers may not change it
  // A request larger than the whole hard limit can never fit: reclaiming would only destroy data.
  const bool may_reclaim = bytes <= limits.hard && reclaim_depth_ == 0 &&
                           !pop.reclaimers_.empty() &&
                           (ledger.flags_[row] & AgentLedger::kReclaimExhausted) == 0;
  if (may_reclaim) {
    // Hysteresis: free until this request fits under the low-water mark, not just under the
    // soft limit, so an agent at its limit reclaims once per (soft - low water) bytes of growth.
    const std::uint64_t target = limits.low_water > bytes ? limits.low_water - bytes : 0;
    run_reclaimers(pop, row, tag, target);
  }

  const std::uint64_t in_use = ledger.used(row);
  if (in_use + bytes <= limits.hard) return ChargeStatus::ok;

  ++delta(pop.index_, Scope::agents, tag).refusals;
  ledger.set_flags(row, AgentLedger::kRefused);
  last_refusal_ = {&pop, row, tag, bytes, in_use, limits.hard};
  return ChargeStatus::refused;
}

void ChargeContext::run_reclaimers(PopulationAccount& pop, AgentRow row, TagId tag,
                                   std::uint64_t target) {
  AgentLedger& ledger = pop.ledger_;
  const std::uint64_t start = ledger.used(row);
  bool ran = false;
  // Restored however the round ends: a reclaimer that runs out of memory throws (a model's
  // throw_if_out_of_memory), and the context must not stay "reclaiming" (which disables both its
  // fast path and every later reclaim of this thread).
  struct Depth {
    int& depth;
    ~Depth() { --depth; }
  } const depth{++reclaim_depth_};
  auto& rungs = rung_deltas_[pop.index_];
  for (std::size_t k = 0; k < pop.reclaimers_.size(); ++k) {
    const std::uint64_t before = ledger.used(row);
    if (before <= target) break;
    pop.reclaimers_[k].reclaim(ReclaimRequest{*this, pop, row, tag, before - target});
    const std::uint64_t after = ledger.used(row);
    ran = true;
    ++rungs[k].runs;
    rungs[k].bytes += before > after ? before - after : 0;  // net: a reclaimer may re-allocate
    ledger.set_flags(row, static_cast<std::uint8_t>(AgentLedger::kFirstRung << k));
  }
  // A round that freed nothing would free nothing next time either, until the agent frees
  // something itself: skip the reclaimers until then.
  if (ran && ledger.used(row) >= start) ledger.set_flags(row, AgentLedger::kReclaimExhausted);
}

void* ChargeContext::allocate_shared(PopulationAccount& pop, TagId tag, std::size_t bytes) {
  const Chunk chunk = pools_.allocate(bytes);
  if (chunk.ptr == nullptr) return nullptr;
  delta(pop.index_, Scope::population, tag).add(bytes, chunk.held);
  return chunk.ptr;
}

void ChargeContext::deallocate_shared(PopulationAccount& pop, TagId tag, void* ptr,
                                      std::size_t bytes) {
  const std::size_t held = pools_.held_for(bytes);
  pools_.deallocate(ptr, bytes);
  delta(pop.index_, Scope::population, tag).remove(bytes, held);
}

BudgetRefusal ChargeContext::last_refusal() const {
  const RefusalRecord& r = last_refusal_;
  BudgetRefusal out;
  if (r.pop == nullptr) return out;
  out.account_path = r.pop->name() + "/agent " + std::to_string(r.pop->agent_id(r.row));
  out.tag = tags_->name(r.tag);
  out.requested = r.requested;
  out.in_use = r.in_use;
  out.limit = r.limit;
  out.out_of_memory = r.out_of_memory;
  std::string remedy;
  if (r.out_of_memory) {
    remedy =
        "fewer agents or steps, smaller per-agent budgets, or a machine with more memory; "
        "`cohort validate` shows the configured sizes";
  } else if (r.requested > r.limit) {
    remedy =
        "this one request is larger than the whole budget; raise the population's hard "
        "budget above " +
        std::to_string(r.requested) + " bytes or make the model request less";
  } else if (r.pop->reclaimers().empty()) {
    remedy = "raise the hard budget of population '" + r.pop->name() +
             "', give this agent its own larger budget, or have the model register a reclaimer "
             "(e.g. evict old history) so memory is freed at the soft limit";
  } else {
    std::string names;
    for (const Reclaimer& rc : r.pop->reclaimers())
      names += (names.empty() ? "" : ", ") + rc.name;
    remedy = "the reclaimers (" + names +
             ") could not free enough; raise the hard budget of "
             "population '" +
             r.pop->name() + "' or make the model keep less per agent";
  }
  out.remedy = std::move(remedy);
  return out;
}

}  // namespace cohort::memory
