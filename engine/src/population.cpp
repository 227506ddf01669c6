#include "cohort/engine/population.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

#include "cohort/memory/row_gather.hpp"
#include "cohort/memory/shared_charge.hpp"

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
  account_->set_agent_count_of([this] { return size(); });
}

void Population::attach(RowStore& store) {
  if (size() != 0)
    throw std::logic_error("a row store is attached to population '" + name_ +
                           "' after agents were created");
  stores_.push_back(&store);
  store_bytes_per_row_ += store.bytes_per_row();
}

void Population::detach(RowStore& store) {
  if (std::erase(stores_, &store) != 0) store_bytes_per_row_ -= store.bytes_per_row();
}

AgentId Population::append(Uid value) {
  // An allocation that fails part-way (std::bad_alloc, or a model's out-of-memory error in a
  // create hook) must not leave the agent half made: its columns and stores disagreeing in length
  // and its component values unset, which destroy() would later release as garbage (found by
  // the allocation sweep, tests/reliability). Everything done so far is undone, newest first.
  // What may reallocate, known before: the storage charge is recomputed only when something
  // grew (a per-birth storage_bytes() was a tenth of a WolfSheep birth's instructions).
  const bool may_grow = !ids_.has_room() || uids_.size() == uids_.capacity();
  const AgentId id = ids_.create();  // changes nothing when it throws
  const auto row = static_cast<Row>(uids_.size());
  std::size_t columns = 0;
  std::size_t stores = 0;
  bool uid_added = false;
  bool ledger = false;
  bool hooked = false;
  try {
    uids_.push_back(value);
    uid_added = true;
    bool grew = false;
    for (ComponentColumn& col : columns_) {
      grew |= col.push_back();
      ++columns;
    }
    if (options_.agent_ledger) {
      account_->add_agent();
      ledger = true;
    }
    // Columns grow geometrically, so the storage charge changes O(log n) times. The ledger's
    // growth is not tracked here: with a ledger the sum is taken.
    if (grew || ((may_grow || options_.agent_ledger) && storage_bytes() != charged_storage_))
      sync_storage_charge();
    assert(storage_bytes() == charged_storage_);
    for (RowStore* store : stores_) {
      store->append_row(row);
      ++stores;
    }
    hooked = true;
    for (const Hook& hook : create_hooks_)
      hook(*this, row);
  } catch (...) {
    if (hooked) {
      // A hook may have charged or allocated for the row: release it as a death would.
      destroy(id);
      throw;
    }
    for (std::size_t s = stores; s-- > 0;)
      stores_[s]->swap_remove_row(row, row);
    if (ledger) account_->remove_agent(row);
    for (std::size_t c = 0; c < columns; ++c)
      columns_[c].swap_remove(row);
    if (uid_added) uids_.pop_back();
    ids_.destroy(id);
    throw;
  }
  return id;
}

BirthStatus Population::try_create(AgentId& id) {
  const memory::PopulationLimits& limits = options_.population_budget;
  if (limits.limited() && budget_bytes() + birth_bytes() > limits.hard) {
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
    r.requested = birth_bytes();
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
  destroy_at(row);
  return true;
}

void Population::destroy_at(Row row) {
  for (const Hook& hook : destroy_hooks_)
    hook(*this, row);
  if (release_) release_(accountant_->context(0), row);
  const auto last = static_cast<Row>(size() - 1);
  ids_.destroy_at(row);
  uids_[row] = uids_[last];
  uids_.pop_back();
  for (ComponentColumn& col : columns_)
    col.swap_remove(row);
  if (options_.agent_ledger) account_->remove_agent(row);
  for (RowStore* store : stores_)
    store->swap_remove_row(row, last);
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
    destroy_at(static_cast<Row>(size() - 1));
}

void Population::restore(AgentIndex::State state, std::vector<Uid> uids) {
  if (size() != 0)
    throw std::logic_error("population '" + name_ + "' must be empty to restore a checkpoint");
  if (uids.size() != state.dense.size())
    throw std::invalid_argument("population '" + name_ + "' has " +
                                std::to_string(state.dense.size()) + " agents but " +
                                std::to_string(uids.size()) + " uids");
  for (const Uid uid : uids)
    if (uid >= kPopulationUidBase)
      throw std::invalid_argument("population '" + name_ + "' holds an invalid uid " +
                                  std::to_string(uid));
  memory::RowArray<Uid> restored(uids.begin(), uids.end());
  ids_.restore(std::move(state));
  uids_.swap(restored);
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
  // The handles are gathered first, checking the order on the way: nothing has moved if it fails.
  prepare_permute_scratch();
  auto* gathered = reinterpret_cast<std::uint32_t*>(permute_scratch_.data());
  const Row bad = ids_.gather_checked(order, gathered);
  if (bad != AgentIndex::kNoRow)
    throw std::invalid_argument("permutation of population '" + name_ + "' names row " +
                                std::to_string(bad) + " twice or out of range");
  ids_.adopt(gathered);
  permute_stores(order);
}

void Population::prepare_permute_scratch() {
  std::size_t widest = sizeof(std::uint64_t);  // ids, uids, ledger words
  for (const ComponentColumn& col : columns_)
    widest = std::max(widest, col.value_bytes());
  const std::size_t words = (size() * widest + 7) / 8;
  if (words > permute_scratch_.capacity()) {
    // Freed before the new one is taken, so the peak is one scratch, not two.
    memory::RowArray<std::uint64_t>().swap(permute_scratch_);
    sync_scratch_charge();
  }
  // Exactly `words`, so that with word-wide values it can trade places with a column of size()
  // words. Growing fills zeros once, which also faults the pages in outside the gathers.
  permute_scratch_.resize(words);
  sync_scratch_charge();
}

void Population::release_permute_scratch() {
  memory::RowArray<std::uint64_t>().swap(permute_scratch_);
  sync_scratch_charge();
}

void Population::sync_scratch_charge() {
  const std::size_t now = permute_scratch_.capacity() * sizeof(std::uint64_t);
  memory::recharge_shared(accountant_->context(0), *account_, memory::TagRegistry::kScratch,
                          charged_scratch_, now);
  charged_scratch_ = now;
}

void Population::permute_unchecked(std::span<const Row> order) {
  prepare_permute_scratch();
  ids_.permute(order, permute_scratch_.data());
  permute_stores(order);
}

void Population::permute_stores(std::span<const Row> order) {
  auto* scratch = reinterpret_cast<std::byte*>(permute_scratch_.data());
  // Word-wide stores trade buffers with the scratch when it holds exactly one word per row:
  // a gather and no copy back.
  if (permute_scratch_.size() == size()) {
    memory::gather_rows(permute_scratch_.data(), uids_.data(), order);
    uids_.swap(permute_scratch_);
    scratch = reinterpret_cast<std::byte*>(permute_scratch_.data());
  } else {
    memory::permute_rows_through(uids_.data(), order, scratch);
  }
  // Narrow columns of equal width go two to a pass.
  std::vector<ComponentColumn*> pending;
  for (ComponentColumn& col : columns_) {
    if (col.value_bytes() > 4) {
      col.permute(order, scratch);
      continue;
    }
    auto partner = std::find_if(pending.begin(), pending.end(), [&](const ComponentColumn* p) {
      return p->value_bytes() == col.value_bytes();
    });
    if (partner == pending.end()) {
      pending.push_back(&col);
      continue;
    }
    ComponentColumn::permute_pair(**partner, col, order, scratch);
    pending.erase(partner);
  }
  for (ComponentColumn* col : pending)
    col->permute(order, scratch);
  if (options_.agent_ledger) account_->ledger().permute(order, permute_scratch_);
  for (RowStore* store : stores_)
    store->permute_rows(order);
  // The swaps may have moved capacity between the uid and ledger columns and the scratch.
  sync_scratch_charge();
  if (storage_bytes() != charged_storage_) sync_storage_charge();
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
  bytes += account_->used(memory::Scope::population) - storage.used;
  // Side stores' bytes recorded since the last settle (the grid's index entries of this phase's
  // births) count at once, so births in one phase cannot overshoot the hard limit together.
  const std::int64_t unsettled = account_->unsettled_shared_used();
  return unsettled >= 0 ? bytes + static_cast<std::uint64_t>(unsettled)
                        : bytes - std::min(bytes, static_cast<std::uint64_t>(-unsettled));
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
  memory::recharge_shared(accountant_->context(0), *account_, memory::TagRegistry::kComponents,
                          charged_storage_, now);
  charged_storage_ = now;
  account_->set_fixed_bytes_per_agent(component_bytes_per_agent() + overhead_bytes_per_agent());
}

}  // namespace cohort::engine
