#pragma once
// A population: one agent type, its components in columns, its ids, and its memory account. The
// population is the one authority over which agent sits in which row: every store kept per row
// (columns, handles, uids, the memory ledger, registered model stores) follows each swap-remove
// and each permutation it makes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/component_column.hpp"
#include "cohort/memory/accountant.hpp"

namespace cohort::engine {

/// How a population is set up.
struct PopulationOptions {
  /// Keep a per-agent memory ledger (9 bytes per agent). Needed by any model that charges
  /// variable-size data to agents; without it such charges fail with a typed status.
  bool agent_ledger = true;
  /// Default per-agent budget for charged data.
  memory::BudgetLimits budget = memory::BudgetLimits::unlimited();
  /// Budget of the whole population (fixed and variable bytes), checked at each birth.
  memory::PopulationLimits population_budget = memory::PopulationLimits::unlimited();
  /// A birth refused by the population budget at a phase end throws memory::BudgetExceeded
  /// (the run stops) instead of being counted and skipped.
  bool fail_on_refused_birth = false;
};

/// Hands out run-wide uids: one counter per world, so uids are unique across populations.
struct UidCounter {
  Uid next = 0;
  Uid take() { return next++; }
};

/// Per-row data a model keeps outside component columns (e.g. a spatial index entry per agent).
/// Registered once with Population::attach; the population calls it on every row change, so
/// the store never needs to be kept in step by hand. Calls happen between phases, on the main
/// thread, once per structural change (never per agent per step).
class RowStore {
 public:
  virtual ~RowStore() = default;
  /// A row was appended at index `row` (= the old size).
  virtual void append_row(Row row) = 0;
  /// Row `last` (the last row) moved into `row`, and the last row is gone.
  virtual void swap_remove_row(Row row, Row last) = 0;
  /// Rows were reordered: new row i holds what old row order[i] held.
  virtual void permute_rows(std::span<const Row> order) = 0;
  /// Bytes by which the store's charge (its used figure) grows with each appended row: the
  /// population's budget test counts them before a birth, not after the next settle.
  virtual std::size_t bytes_per_row() const { return 0; }
};

class Population;

/// Writes and reads what an agent holds outside its value columns (pooled blocks behind handle
/// columns: histories, sparse beliefs), so the agent can move to another process
/// (distributed::migrate) and a portable checkpoint can carry the data by content (a resume on
/// any rank count rebuilds it). Registered once by the model that owns the data, whose own
/// checkpoint section then leaves that data out in the portable layout.
struct AgentPayloadCodec {
  /// Appends the agent at `row`'s data to `out`.
  std::function<void(const Population&, Row row, std::vector<std::byte>& out)> save;
  /// Rebuilds the data of the agent just created at `row` (its value columns restored, its
  /// handle columns zero, its create hooks run) from what save() wrote, allocating and charging
  /// as the model's own code does. Throws on bytes save() cannot have written.
  std::function<void(Population&, Row row, std::span<const std::byte> in)> load;
};

/// Why a birth did not happen.
enum class BirthStatus : std::uint8_t {
  ok,
  refused,  ///< the population budget's hard limit would be crossed
};

/// Agents of one type. Columns and ids change only between phases, on the main thread; systems
/// read and write component values in parallel through column spans.
class Population {
 public:
  using Hook = std::function<void(Population&, Row)>;

  Population(std::string name, std::uint16_t index, memory::Accountant& accountant,
             UidCounter& uids, PopulationOptions options);
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  std::uint16_t index() const { return index_; }
  std::size_t size() const { return ids_.size(); }
  AgentId id_at(Row row) const { return ids_.id_at(row); }
  Row row_of(AgentId id) const { return ids_.row_of(id); }
  bool alive(AgentId id) const { return ids_.alive(id); }
  const AgentIndex& index_map() const { return ids_; }
  /// The run-wide uid of each row's agent (random streams are keyed by it).
  std::span<const Uid> uids() const { return uids_; }
  Uid uid_at(Row row) const { return uids_[row]; }

  /// Adds a component column; only before the first agent exists. A `handle` column holds
  /// references to pooled data: checkpoints skip it and the model's load() rebuilds it.
  template <class T>
  Component<T> add_component(std::string name, ColumnKind kind = ColumnKind::value) {
    static_assert(std::is_trivially_copyable_v<T>, "components must be trivially copyable");
    if (size() != 0)
      throw std::logic_error("component '" + name + "' added to population '" + name_ +
                             "' after agents were created");
    columns_.emplace_back(std::move(name), sizeof(T), alignof(T), typeid(T), kind);
    component_bytes_ += sizeof(T);
    if constexpr (std::is_arithmetic_v<T>)
      if (kind == ColumnKind::value) columns_.back().set_fields({{"", field_type_of<T>(), 0}});
    return Component<T>{static_cast<std::uint32_t>(columns_.size() - 1)};
  }
  /// Names the numbers inside a struct component, so snapshots can write it (as
  /// `<component>.<field>` columns); see cohort::engine::field.
  template <class T>
  void describe(Component<T> c, std::vector<ColumnField> fields) {
    for (const ColumnField& f : fields)
      if (f.offset >= sizeof(T))
        throw std::logic_error("field '" + f.name + "' lies outside component '" +
                               columns_.at(c.column).name() + "'");
    checked<T>(columns_, c).set_fields(std::move(fields));
  }
  /// The component columns, in the order they were added.
  const std::vector<ComponentColumn>& columns() const { return columns_; }
  template <class T>
  std::span<T> column(Component<T> c) {
    return checked<T>(columns_, c).template values<T>();
  }
  template <class T>
  std::span<const T> column(Component<T> c) const {
    return checked<T>(columns_, c).template values<T>();
  }
  std::size_t column_count() const { return columns_.size(); }
  ComponentColumn& column_at(std::size_t i) { return columns_[i]; }
  const ComponentColumn& column_at(std::size_t i) const { return columns_[i]; }

  /// Registers a store that must follow every row change; it must outlive the population or be
  /// detached. Only while the population is empty, so the store starts in step.
  void attach(RowStore& store);
  void detach(RowStore& store);
  /// Called after an agent is created (its row exists, components zeroed) and before an agent is
  /// destroyed (its row still holds it), as EnTT's on_construct / on_destroy.
  void on_create(Hook hook) { create_hooks_.push_back(std::move(hook)); }
  void on_destroy(Hook hook) { destroy_hooks_.push_back(std::move(hook)); }

  /// Creates an agent with zeroed components and a fresh uid at a new last row (size() - 1 after
  /// it); returns its id. Main thread, between phases. Throws memory::BudgetExceeded if the
  /// population budget refuses it.
  AgentId create();
  /// As create(), but a refusal by the population budget is a status (the count of refused
  /// births grows) and `id` is null.
  BirthStatus try_create(AgentId& id);
  /// Creates an agent with a given uid (checkpoint restore, an agent arriving from another
  /// process). The caller guarantees the uid is unique in the run.
  AgentId create_with_uid(Uid uid);
  /// Destroys a live agent: its release hook frees its variable data, then its row is filled by
  /// the last row. Returns false if `id` is not alive. Main thread, between phases.
  bool destroy(AgentId id);
  /// As destroy(), for the agent at `row` (< size()): for loops that hold rows, not ids.
  void destroy_at(Row row);
  void reserve(std::size_t agents);
  /// Destroys every agent (release hooks run), in reverse row order.
  void clear();
  /// Replaces the (empty) population's agents with a checkpointed handle state and their uids;
  /// columns are zero-filled for the caller to overwrite, ledgers start empty, hooks do not run.
  /// Throws std::invalid_argument if the state is inconsistent.
  void restore(AgentIndex::State state, std::vector<Uid> uids);

  /// Reorders every per-row store at once: new row i holds the agent that was at row order[i].
  /// Throws std::invalid_argument unless `order` is a permutation of [0, size()).
  void permute(std::span<const Row> order);
  /// Stable re-sort of the rows by an integer key in [0, key_count) per row (e.g. a cell
  /// index): a counting sort, O(size + key_count).
  void sort_by(std::span<const std::uint32_t> keys, std::uint32_t key_count);
  /// Stable re-sort by a comparison of rows.
  void sort_by(const std::function<bool(Row, Row)>& less);
  /// Frees the room a permutation keeps for the next one (size() x the widest value): for
  /// callers that re-sort rarely, whose peak memory matters more than the next re-sort's page
  /// faults. The next permutation takes it again.
  void release_permute_scratch();

  /// Frees an agent's variable-size data before its row is removed (models with pooled data).
  void set_release(std::function<void(memory::ChargeContext&, Row)> release) {
    release_ = std::move(release);
  }

  /// Registers the codec of the agents' variable data (see AgentPayloadCodec).
  void set_payload_codec(AgentPayloadCodec codec) { payload_codec_ = std::move(codec); }
  /// The registered codec, or null.
  const AgentPayloadCodec* payload_codec() const {
    return payload_codec_.save ? &payload_codec_ : nullptr;
  }

  memory::PopulationAccount& account() { return *account_; }
  const memory::PopulationAccount& account() const { return *account_; }
  bool has_agent_ledger() const { return options_.agent_ledger; }
  const PopulationOptions& options() const { return options_; }

  /// Bytes the population budget counts: agents x fixed bytes per agent, plus settled variable
  /// bytes (agents' and shared, except column storage), plus side stores' bytes not yet settled
  /// (memory::SharedCharge).
  std::uint64_t budget_bytes() const;
  /// Births refused by the population budget so far.
  std::uint64_t refused_births() const { return refused_births_; }
  void set_refused_births(std::uint64_t n) { refused_births_ = n; }

  /// Component payload per agent (sum of component sizes).
  std::size_t component_bytes_per_agent() const { return component_bytes_; }
  /// Storage overhead per agent beyond the payload: handle index (12 B), uid (8 B) and the
  /// ledger (9 B) if kept.
  std::size_t overhead_bytes_per_agent() const {
    return AgentIndex::kBytesPerAgent + sizeof(Uid) +
           (options_.agent_ledger ? memory::AgentLedger::kBytesPerAgent : 0);
  }
  /// Bytes one more agent adds to budget_bytes(): components, overhead and the attached stores'
  /// per-row bytes.
  std::size_t birth_bytes() const {
    return component_bytes_per_agent() + overhead_bytes_per_agent() + store_bytes_per_row_;
  }
  /// Bytes of columns, ids and ledger as allocated (capacity), charged under tag `components`.
  std::size_t storage_bytes() const;

 private:
  template <class T, class Columns>
  static auto& checked(Columns& columns, Component<T> c) {
    auto& col = columns.at(c.column);
    if (col.type() != typeid(T))
      throw std::logic_error("component '" + col.name() + "' accessed with the wrong type");
    return col;
  }
  AgentId append(Uid uid);
  void permute_unchecked(std::span<const Row> order);
  // Every per-row store but the handles (which permute() checks the order with).
  void permute_stores(std::span<const Row> order);
  void sync_storage_charge();
  void prepare_permute_scratch();
  void sync_scratch_charge();

  std::string name_;
  std::uint16_t index_;
  memory::Accountant* accountant_;
  memory::PopulationAccount* account_;
  UidCounter* uid_counter_;
  PopulationOptions options_;
  AgentIndex ids_;
  memory::RowArray<Uid> uids_;
  std::vector<ComponentColumn> columns_;
  std::vector<RowStore*> stores_;
  std::size_t store_bytes_per_row_ = 0;  // the sum of stores_' bytes_per_row()
  std::vector<Hook> create_hooks_;
  std::vector<Hook> destroy_hooks_;
  std::function<void(memory::ChargeContext&, Row)> release_;
  AgentPayloadCodec payload_codec_;
  std::size_t charged_storage_ = 0;
  std::size_t component_bytes_ = 0;  // component_bytes_per_agent(), kept as columns are added
  std::uint64_t refused_births_ = 0;
  // Room for one row store's values during a permutation (size x widest value, in words), kept
  // between re-sorts and charged under tag `scratch` (see memory::permute_rows_through). When no
  // value is wider than a word, it holds exactly size() words and trades places with the uid and
  // ledger columns instead of being copied back: its capacity then rotates among the three.
  memory::RowArray<std::uint64_t> permute_scratch_;
  std::size_t charged_scratch_ = 0;
};

}  // namespace cohort::engine
