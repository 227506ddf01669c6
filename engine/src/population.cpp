#include "cohort/engine/population.hpp"

namespace cohort::engine {

Population::Population(std::string name, std::uint16_t index, memory::Accountant& accountant,
                       PopulationOptions options)
    : name_(std::move(name)),
      index_(index),
      accountant_(&accountant),
      account_(&accountant.add_population(name_, options.budget)),
      options_(options) {
  // Reports and refusals name a live agent by its index: unique among the living and stable for
  // the agent's life (the generation matters only to detect stale ids).
  account_->set_agent_id_of([this](memory::AgentRow row) { return ids_.id_at(row).index(); });
}

AgentId Population::create() {
  const AgentId id = ids_.create();
  bool grew = false;
  for (ComponentColumn& col : columns_)
    grew |= col.push_back();
  if (options_.agent_ledger) account_->add_agent();
  // Columns grow geometrically, so the storage charge changes O(log n) times.
  if (grew || storage_bytes() != charged_storage_) sync_storage_charge();
  return id;
}

bool Population::destroy(AgentId id) {
  const Row row = ids_.row_of(id);
  if (row == AgentIndex::kNoRow) return false;
  if (release_) release_(accountant_->context(0), row);
  ids_.destroy(id);
  for (ComponentColumn& col : columns_)
    col.swap_remove(row);
  if (options_.agent_ledger) account_->remove_agent(row);
  return true;
}

void Population::reserve(std::size_t agents) {
  ids_.reserve(agents);
  for (ComponentColumn& col : columns_)
    col.reserve(agents);
  if (options_.agent_ledger) account_->ledger().reserve(agents);
  sync_storage_charge();
}

void Population::clear() {
  while (size() > 0)
    destroy(ids_.id_at(static_cast<Row>(size() - 1)));
}

void Population::restore(AgentIndex::State state) {
  if (size() != 0)
    throw std::logic_error("population '" + name_ + "' must be empty to restore a checkpoint");
  ids_.restore(std::move(state));
  for (ComponentColumn& col : columns_)
    col.resize(ids_.size());
  if (options_.agent_ledger)
    for (std::size_t i = 0; i < ids_.size(); ++i)
      account_->add_agent();
  sync_storage_charge();
}

std::size_t Population::component_bytes_per_agent() const {
  std::size_t bytes = 0;
  for (const ComponentColumn& col : columns_)
    bytes += col.value_bytes();
  return bytes;
}

std::size_t Population::overhead_bytes_per_agent() const {
  return sizeof(std::uint32_t) + sizeof(AgentId) +
         (options_.agent_ledger ? memory::AgentLedger::kBytesPerAgent : 0);
}

std::size_t Population::storage_bytes() const {
  std::size_t bytes = ids_.capacity_bytes();
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
