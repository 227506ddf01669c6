#pragma once
// A population: one agent type, its components in columns, its ids, and its memory account.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/component_column.hpp"
#include "cohort/memory/accountant.hpp"

namespace cohort::engine {

/// How a population is set up.
struct PopulationOptions {
  /// Keep a per-agent memory ledger (9 bytes per agent). Needed by any model that charges
  /// variable-size data to agents; a population of fixed components only can go without.
  bool agent_ledger = true;
  /// Default per-agent budget for charged data.
  memory::BudgetLimits budget = memory::BudgetLimits::unlimited();
};

/// Agents of one type. Columns and ids change only between phases, on the main thread; systems
/// read and write component values in parallel through column spans.
class Population {
 public:
  Population(std::string name, std::uint16_t index, memory::Accountant& accountant,
             PopulationOptions options);
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  std::uint16_t index() const { return index_; }
  std::size_t size() const { return ids_.size(); }
  std::span<const AgentId> ids() const { return ids_.ids(); }
  AgentId id_at(Row row) const { return ids_.id_at(row); }
  Row row_of(AgentId id) const { return ids_.row_of(id); }
  bool alive(AgentId id) const { return ids_.alive(id); }
  const AgentIndex& index_map() const { return ids_; }

  /// Adds a component column; only before the first agent exists.
  template <class T>
  Component<T> add_component(std::string name) {
    static_assert(std::is_trivially_copyable_v<T>, "components must be trivially copyable");
    if (size() != 0)
      throw std::logic_error("component '" + name + "' added to population '" + name_ +
                             "' after agents were created");
    columns_.emplace_back(std::move(name), sizeof(T), alignof(T), typeid(T));
    return Component<T>{static_cast<std::uint32_t>(columns_.size() - 1)};
  }
  template <class T>
  std::span<T> column(Component<T> c) {
    return checked<T>(c).template values<T>();
  }
  template <class T>
  std::span<const T> column(Component<T> c) const {
    return checked<T>(c).template values<T>();
  }
  std::size_t column_count() const { return columns_.size(); }
  ComponentColumn& column_at(std::size_t i) { return columns_[i]; }
  const ComponentColumn& column_at(std::size_t i) const { return columns_[i]; }

  /// Creates an agent with zeroed components; returns its id. Main thread, between phases.
  AgentId create();
  /// Destroys a live agent: its release hook frees its variable data, then its row is filled by
  /// the last row. Returns false if `id` is not alive. Main thread, between phases.
  bool destroy(AgentId id);
  void reserve(std::size_t agents);
  /// Destroys every agent (release hooks run), in reverse row order.
  void clear();
  /// Replaces the (empty) population's agents with a checkpointed id state; columns are
  /// zero-filled for the caller to overwrite and ledgers start empty.
  void restore(AgentIndex::State state);

  /// Frees an agent's variable-size data before its row is removed (models with pooled data).
  void set_release(std::function<void(memory::ChargeContext&, Row)> release) {
    release_ = std::move(release);
  }

  memory::PopulationAccount& account() { return *account_; }
  const memory::PopulationAccount& account() const { return *account_; }
  bool has_agent_ledger() const { return options_.agent_ledger; }

  /// Component payload per agent (sum of component sizes).
  std::size_t component_bytes_per_agent() const;
  /// Storage overhead per agent beyond the payload: ids (8 B) plus the ledger (9 B) if kept.
  std::size_t overhead_bytes_per_agent() const;
  /// Bytes of columns, ids and ledger as allocated (capacity), charged under tag `components`.
  std::size_t storage_bytes() const;

 private:
  template <class T>
  ComponentColumn& checked(Component<T> c) const {
    ComponentColumn& col = const_cast<ComponentColumn&>(columns_.at(c.column));
    if (col.type() != typeid(T))
      throw std::logic_error("component '" + col.name() + "' of population '" + name_ +
                             "' accessed with the wrong type");
    return col;
  }
  void sync_storage_charge();

  std::string name_;
  std::uint16_t index_;
  memory::Accountant* accountant_;
  memory::PopulationAccount* account_;
  PopulationOptions options_;
  AgentIndex ids_;
  std::vector<ComponentColumn> columns_;
  std::function<void(memory::ChargeContext&, Row)> release_;
  std::size_t charged_storage_ = 0;
};

}  // namespace cohort::engine
