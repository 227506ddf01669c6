#include "cohort/engine/population.hpp"

#include <algorithm>
#include <numeric>

#include "cohort/memory/row_gather.hpp"

namespace cohort::engine {

Population::Population(std::string name, std::uint16_t index, memory::Accountant& accountant,
                       UidCounter& uids, PopulationOptions options)
    : name_(std::move(name)),
      index_(index),
      accountant_(&accountant),
      account_(&accountant.add_population(name_, options.budget)),
      uid_counter_(&uids),
      options_(options) {
  account_->set_tracks_agents(options.agent_ledger);
  // Reports and refusals name an agent by its uid: the identity a user sees in every output.
  account_->set_agent_id_of([this](memory::AgentRow row) { return uids_[row]; });
}

void Population::attach(RowStore& store) {
  if (size() != 0)
    throw std::logic_error("a row store is attached to population '" + name_ +
                           "' after agents were created");
  stores_.push_back(&store);
}

void Population::detach(RowStore& store) {
  std::erase(stores_, &store);
}

AgentId Population::append(Uid uid) {
  const AgentId id = ids_.create();
  const auto row = static_cast<Row>(uids_.size());
  uids_.push_back(uid);
  bool grew = false;
  for (ComponentColumn& col : columns_)
    grew |= col.push_back();
  if (options_.agent_ledger) account_->add_agent();
  // Columns grow geometrically, so the storage charge changes O(log n) times.
  if (grew || storage_bytes() != charged_storage_) sync_storage_charge();
  for (RowStore* store : stores_)
    store->append_row(row);
  for (const Hook& hook : create_hooks_)
    hook(*this, row);
  return id;
}

BirthStatus Population::try_create(AgentId& id) {
  const memory::PopulationLimits& limits = options_.population_budget;
  if (limits.limited() &&
      budget_bytes() + component_bytes_per_agent() + overhead_bytes_per_agent() > limits.hard) {
    ++refused_births_;
    id = AgentId::null();
    return BirthStatus::refused;
  }
  id = append(uid_counter_->take());
  return BirthStatus::ok;
}

AgentId Population::create() {
  AgentId id;
  if (try_create(id) == BirthStatus::refused) {
    memory::BudgetRefusal r;
    r.account_path = name_;
    r.tag = "births";
    r.requested = component_bytes_per_agent() + overhead_bytes_per_agent();
    r.in_use = budget_bytes();
    r.limit = options_.population_budget.hard;
    r.remedy = "raise populations." + name_ +
               ".population_budget, or lower the birth rate; with on_refusal: freeze births "
               "beyond the budget are refused and counted instead";
    throw memory::BudgetExceeded(std::move(r));
  }
  return id;
}

AgentId Population::create_with_uid(Uid uid) {
  uid_counter_->next = std::max(uid_counter_->next, uid + 1);
  return append(uid);
}

bool Population::destroy(AgentId id) {
  const Row row = ids_.row_of(id);
  if (row == AgentIndex::kNoRow) return false;
  for (const Hook& hook : destroy_hooks_)
    hook(*this, row);
  if (release_) release_(accountant_->context(0), row);
  const auto last = static_cast<Row>(size() - 1);
  ids_.destroy(id);
  uids_[row] = uids_[last];
  uids_.pop_back();
  for (ComponentColumn& col : columns_)
    col.swap_remove(row);
  if (options_.agent_ledger) account_->remove_agent(row);
  for (RowStore* store : stores_)
    store->swap_remove_row(row, last);
  return true;
}

void Population::reserve(std::size_t agents) {
  ids_.reserve(agents);
  uids_.reserve(agents);
  for (ComponentColumn& col : columns_)
    col.reserve(agents);
  if (options_.agent_ledger) account_->ledger().reserve(agents);
  sync_storage_charge();
}

void Population::clear() {
  while (size() > 0)
    destroy(ids_.id_at(static_cast<Row>(size() - 1)));
}

void Population::restore(AgentIndex::State state, std::vector<Uid> uids) {
  if (size() != 0)
    throw std::logic_error("population '" + name_ + "' must be empty to restore a checkpoint");
  if (uids.size() != state.dense.size())
    throw std::invalid_argument("population '" + name_ + "' has " +
                                std::to_string(state.dense.size()) + " agents but " +
                                std::to_string(uids.size()) + " uids");
  ids_.restore(std::move(state));
  for (const Uid uid : uids)
    if (uid >= kPopulationUidBase)
      throw std::invalid_argument("population '" + name_ + "' holds an invalid uid " +
                                  std::to_string(uid));
  uids_ = std::move(uids);
  for (ComponentColumn& col : columns_)
    col.resize(ids_.size());
  if (options_.agent_ledger)
    for (std::size_t i = 0; i < ids_.size(); ++i)
      account_->add_agent();
  for (RowStore* store : stores_)
    for (Row r = 0; r < ids_.size(); ++r)
      store->append_row(r);
  sync_storage_charge();
}

void Population::permute(std::span<const Row> order) {
  if (order.size() != size())
    throw std::invalid_argument("permutation of population '" + name_ + "' has " +
                                std::to_string(order.size()) + " rows, the population " +
                                std::to_string(size()));
  std::vector<bool> seen(order.size());
  for (const Row r : order) {
    if (r >= order.size() || seen[r])
      throw std::invalid_argument("permutation of population '" + name_ + "' names row " +
                                  std::to_string(r) + " twice or out of range");
    seen[r] = true;
  }
  permute_unchecked(order);
}

std::byte* Population::permute_scratch() {
  std::size_t widest = sizeof(std::uint64_t);  // ids, uids, ledger words
  for (const ComponentColumn& col : columns_)
    widest = std::max(widest, col.value_bytes());
  const std::size_t bytes = size() * widest;
  if (bytes > permute_scratch_bytes_) {
    memory::ChargeContext& ctx = accountant_->context(0);
    const auto tag = memory::TagRegistry::kScratch;
    if (permute_scratch_bytes_ > 0)
      ctx.release_shared(*account_, tag, permute_scratch_bytes_, permute_scratch_bytes_);
    permute_scratch_.reset();
    permute_scratch_bytes_ = 0;
    permute_scratch_.reset(new std::byte[bytes]);  // uninitialised: the gathers overwrite it
    permute_scratch_bytes_ = bytes;
    ctx.charge_shared(*account_, tag, bytes, bytes);
  }
  return permute_scratch_.get();
}

void Population::permute_unchecked(std::span<const Row> order) {
  std::byte* scratch = permute_scratch();
  ids_.permute(order, scratch);
  memory::permute_rows_through(uids_.data(), order, scratch);
  for (ComponentColumn& col : columns_)
    col.permute(order, scratch);
  if (options_.agent_ledger) account_->ledger().permute(order, scratch);
  for (RowStore* store : stores_)
    store->permute_rows(order);
}

void Population::sort_by(std::span<const std::uint32_t> keys, std::uint32_t key_count) {
  if (keys.size() != size())
    throw std::invalid_argument("sort keys of population '" + name_ + "' do not match its size");
  std::vector<Row> start(std::size_t{key_count} + 1, 0);
  for (const std::uint32_t k : keys) {
    if (k >= key_count)
      throw std::invalid_argument("sort key " + std::to_string(k) + " of population '" + name_ +
                                  "' is not below " + std::to_string(key_count));
    ++start[k + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<Row> order(keys.size());
  for (Row r = 0; r < keys.size(); ++r)
    order[start[keys[r]]++] = r;
  permute_unchecked(order);
}

void Population::sort_by(const std::function<bool(Row, Row)>& less) {
  std::vector<Row> order(size());
  std::iota(order.begin(), order.end(), Row{0});
  std::stable_sort(order.begin(), order.end(), less);
  permute_unchecked(order);
}

std::uint64_t Population::budget_bytes() const {
  std::uint64_t bytes = size() * (component_bytes_per_agent() + overhead_bytes_per_agent());
  bytes += account_->used(memory::Scope::agents);
  const memory::TagCounters& storage =
      account_->counters(memory::Scope::population, memory::TagRegistry::kComponents);
  return bytes + account_->used(memory::Scope::population) - storage.used;
}

std::size_t Population::storage_bytes() const {
  std::size_t bytes = ids_.capacity_bytes() + uids_.capacity() * sizeof(Uid);
  for (const ComponentColumn& col : columns_)
    bytes += col.capacity_bytes();
  if (options_.agent_ledger) bytes += account_->ledger().capacity_bytes();
  return bytes;
}

void Population::sync_storage_charge() {
  // Column storage is the population's own (it is not in the pools): charge its capacity, so the
  // report explains it, and keep bytes per agent (fixed part) up to date.
  const std::size_t now = storage_bytes();
  memory::ChargeContext& ctx = accountant_->context(0);
  const auto tag = memory::TagRegistry::kComponents;
  if (now > charged_storage_)
    ctx.charge_shared(*account_, tag, now - charged_storage_, now - charged_storage_);
  if (now < charged_storage_)
    ctx.release_shared(*account_, tag, charged_storage_ - now, charged_storage_ - now);
  charged_storage_ = now;
  account_->set_fixed_bytes_per_agent(component_bytes_per_agent() + overhead_bytes_per_agent());
}

}  // namespace cohort::engine
