#include "checkpoint_populations.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "cohort/engine/checkpoint.hpp"

namespace cohort::engine {

namespace {

// Handle columns hold addresses of pooled data: the model saves their contents instead, so the
// file holds no address and two processes write the same bytes.
void put_column_header(const ComponentColumn& col, CheckpointWriter& out) {
  out.put_string(col.name());
  out.put<std::uint64_t>(col.value_bytes());
  out.put(col.kind());
}

void write_rows(const Population& pop, CheckpointWriter& out) {
  const AgentIndex::State ids = pop.index_map().state();
  out.put_vector(ids.sparse);
  out.put_vector(ids.dense);
  out.put(ids.free_head);
  out.put(ids.free_tail);
  out.put(ids.retired);
  out.put_vector(std::vector<Uid>(pop.uids().begin(), pop.uids().end()));
  out.put(pop.refused_births());
  out.put<std::uint64_t>(pop.column_count());
  for (std::size_t c = 0; c < pop.column_count(); ++c) {
    const ComponentColumn& col = pop.column_at(c);
    put_column_header(col, out);
    if (col.kind() == ColumnKind::value) out.put_bytes(col.bytes(), col.size() * col.value_bytes());
  }
}

// Each row's ledger flags in row order (empty without a ledger).
std::vector<std::uint8_t> ledger_flags(const Population& pop) {
  std::vector<std::uint8_t> flags;
  if (pop.has_agent_ledger())
    for (Row r = 0; r < pop.size(); ++r)
      flags.push_back(pop.account().ledger().flags(r));
  return flags;
}

// The codec of a population whose agents hold pooled data (a handle column); null for one
// without. Handles are addresses in one process, so a portable checkpoint carries pooled data
// by content, through the codec: a population with pooled data and none is refused.
const AgentPayloadCodec* pooled_codec(const Population& pop) {
  for (std::size_t c = 0; c < pop.column_count(); ++c) {
    const ComponentColumn& col = pop.column_at(c);
    if (col.kind() != ColumnKind::handle) continue;
    if (pop.payload_codec() == nullptr)
      throw CheckpointError("population '" + pop.name() +
                            "' keeps pooled per-agent data (column '" + col.name() +
                            "') and has no payload codec (Population::set_payload_codec), which "
                            "a portable (distributed) checkpoint needs to carry it by content");
    return pop.payload_codec();
  }
  return nullptr;
}

// Rank 0: where the agent at each place of the merged (uid) order lives: the rank whose
// message holds it and its row there.
struct Origin {
  Uid uid;
  std::uint32_t part, row;
};

// Every rank's bytes of one kind (a column, the uids), on rank 0 (collective). Rank 0's own stay
// where they are, so gathering costs it no copy of them (and a single process none at all).
class Gathered {
 public:
  Gathered(const RankGroup& ranks, const void* data, std::size_t bytes)
      : own_(static_cast<const std::byte*>(data)), own_bytes_(bytes) {
    std::vector<std::byte> mine;
    if (ranks.rank() != 0) mine.assign(own_, own_ + bytes);
    others_ = gather_to_root(ranks, std::move(mine));
  }
  /// The ranks whose bytes rank 0 holds (none elsewhere).
  std::size_t parts() const { return others_.size(); }
  const std::byte* data(std::size_t part) const { return part == 0 ? own_ : others_[part].data(); }
  std::size_t size(std::size_t part) const { return part == 0 ? own_bytes_ : others_[part].size(); }

 private:
  const std::byte* own_;
  std::size_t own_bytes_;
  RankMessages others_;  // entry 0 (rank 0's own) empty
};

// Rank 0: every rank's agents in uid order, from every rank's uids.
std::vector<Origin> merge_order(const Gathered& uids) {
  std::vector<Origin> order;
  for (std::size_t p = 0; p < uids.parts(); ++p) {
    const std::size_t n = uids.size(p) / sizeof(Uid);
    for (std::size_t r = 0; r < n; ++r) {
      Uid uid;
      std::memcpy(&uid, uids.data(p) + r * sizeof(Uid), sizeof uid);
      order.push_back({uid, static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(r)});
    }
  }
  std::sort(order.begin(), order.end(),
            [](const Origin& a, const Origin& b) { return a.uid < b.uid; });
  return order;
}

// One rank's pooled data of `pop`, each agent's as the codec saves it, length first (as
// put_vector writes it).
std::vector<std::byte> pack_payloads(const Population& pop, const AgentPayloadCodec& codec) {
  CheckpointWriter w;
  std::vector<std::byte> payload;
  for (Row r = 0; r < pop.size(); ++r) {
    payload.clear();
    codec.save(pop, r, payload);
    w.put_vector(payload);
  }
  return w.bytes();
}

// Where each agent's payload starts in a message of pack_payloads, and where the last ends.
std::vector<std::size_t> payload_offsets(const std::vector<std::byte>& message) {
  std::vector<std::size_t> at{0};
  while (at.back() < message.size()) {
    std::uint64_t n;
    std::memcpy(&n, message.data() + at.back(), sizeof n);
    at.push_back(at.back() + sizeof n + n);
  }
  return at;
}

// Every rank's agents of `pop`, merged in uid order into rank 0's `out` (collective: every rank
// calls it). Streamed: rank 0 gathers the uids and computes the order, then gathers and writes
// one column at a time, so it holds about one column of all agents beyond its own state, never
// the whole state of every rank.
void write_portable(const Population& pop, const RankGroup& ranks, CheckpointWriter& out,
                    std::vector<std::uint8_t>& saved_flags) {
  const AgentPayloadCodec* codec = pooled_codec(pop);
  const bool root = ranks.rank() == 0;
  const std::uint64_t refused = sum_over_ranks(ranks, std::uint64_t{pop.refused_births()});
  std::vector<Origin> order;
  {
    const Gathered uids(ranks, pop.uids().data(), pop.uids().size_bytes());
    if (root) order = merge_order(uids);
  }
  if (root) {
    out.put<std::uint64_t>(order.size());
    for (const Origin& o : order)
      out.put(o.uid);
    out.put(refused);
    out.put<std::uint64_t>(pop.column_count());
  }
  for (std::size_t c = 0; c < pop.column_count(); ++c) {
    const ComponentColumn& col = pop.column_at(c);
    if (root) put_column_header(col, out);
    if (col.kind() != ColumnKind::value) continue;  // pooled data: the payloads below
    const std::size_t vb = col.value_bytes();
    const Gathered values(ranks, col.bytes(), col.size() * vb);
    if (root)
      for (const Origin& o : order)
        out.put_bytes(values.data(o.part) + o.row * vb, vb);
  }
  if (codec != nullptr) {
    const RankMessages payloads = gather_to_root(ranks, pack_payloads(pop, *codec));
    if (root) {
      std::vector<std::vector<std::size_t>> at;
      for (const std::vector<std::byte>& message : payloads)
        at.push_back(payload_offsets(message));
      for (const Origin& o : order)
        out.put_bytes(payloads[o.part].data() + at[o.part][o.row],
                      at[o.part][o.row + 1] - at[o.part][o.row]);
    }
  }
  saved_flags.clear();
  if (pop.has_agent_ledger()) {
    const std::vector<std::uint8_t> flags = ledger_flags(pop);
    const Gathered all(ranks, flags.data(), flags.size());
    if (root)
      for (const Origin& o : order)
        saved_flags.push_back(static_cast<std::uint8_t>(all.data(o.part)[o.row]));
  }
}

// The handles of `n` agents created one after another into an empty population.
AgentIndex::State compact_index(std::size_t n) {
  AgentIndex::State s{std::vector<std::uint64_t>(n), std::vector<AgentId>(n), AgentId::kNoIndex,
                      AgentId::kNoIndex, 0};
  for (std::size_t i = 0; i < n; ++i) {
    s.sparse[i] = i;
    s.dense[i] = AgentId(static_cast<std::uint32_t>(i), 0);
  }
  return s;
}

void check_uids(const std::vector<Uid>& uids, std::uint64_t next_uid, bool sorted,
                const std::string& file) {
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (uids[i] >= next_uid)
      throw CheckpointError(file + " is corrupt: agent uid " + std::to_string(uids[i]) +
                            " is not below the next uid " + std::to_string(next_uid));
    if (sorted && i > 0 && uids[i] <= uids[i - 1])
      throw CheckpointError(file + " is corrupt: agent uids are not strictly increasing at " +
                            std::to_string(uids[i]));
  }
}

void read_columns(Population& pop, CheckpointReader& in, const std::string& file) {
  const auto columns = in.get<std::uint64_t>("column count");
  if (columns != pop.column_count())
    throw CheckpointError(file + " has " + std::to_string(columns) + " columns for population '" +
                          pop.name() + "', the model has " + std::to_string(pop.column_count()));
  for (std::size_t c = 0; c < columns; ++c) {
    ComponentColumn& col = pop.column_at(c);
    const std::string col_name = in.get_string("column name");
    const auto value_bytes = in.get<std::uint64_t>("column value size");
    const auto kind = in.get<ColumnKind>("column kind");
    if (col_name != col.name() || value_bytes != col.value_bytes() || kind != col.kind())
      throw CheckpointError(file + " has column '" + col_name + "' (" +
                            std::to_string(value_bytes) + " bytes) where the model has '" +
                            col.name() + "' (" + std::to_string(col.value_bytes()) + " bytes)");
    if (kind == ColumnKind::value)
      in.get_bytes(col.bytes(), col.size() * col.value_bytes(), "column values");
  }
}

// Portable layout: each agent's pooled data, rebuilt (allocated and charged) by the codec.
void read_payloads(Population& pop, CheckpointReader& in, const std::string& file) {
  const AgentPayloadCodec* codec = pooled_codec(pop);
  if (codec == nullptr) return;
  for (Row r = 0; r < pop.size(); ++r) {
    const std::vector<std::byte> payload = in.get_vector<std::byte>("agent payload");
    try {
      codec->load(pop, r, payload);
    } catch (const std::invalid_argument& e) {  // bytes save() cannot have written
      throw CheckpointError(file + " is corrupt: the pooled data of agent uid " +
                            std::to_string(pop.uid_at(r)) + " of population '" + pop.name() +
                            "': " + e.what());
    }
  }
}

}  // namespace

SavedAgents write_populations(const World& world, PopulationLayout layout, CheckpointWriter& out) {
  SavedAgents saved;
  const std::size_t count = world.population_count();
  saved.uids.resize(count);
  saved.flags.resize(count);
  out.put<std::uint64_t>(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Population& pop = world.population(i);
    out.put_string(pop.name());
    if (layout == PopulationLayout::rows)
      write_rows(pop, out);
    else
      write_portable(pop, world.ranks(), out, saved.flags[i]);
  }
  return saved;
}

void write_ledger_flags(const World& world, PopulationLayout layout, const SavedAgents& saved,
                        CheckpointWriter& out) {
  // Flags (reclaim exhausted, refused, rungs that ran) steer future budget decisions; the bytes
  // themselves are re-charged by the model's load().
  for (std::size_t i = 0; i < world.population_count(); ++i) {
    if (layout == PopulationLayout::portable) {
      out.put_vector(saved.flags[i]);
      continue;
    }
    out.put_vector(ledger_flags(world.population(i)));
  }
}

SavedAgents read_populations(World& world, PopulationLayout layout, CheckpointReader& in,
                             const std::string& file, std::uint64_t next_uid) {
  const auto populations = in.get<std::uint64_t>("population count");
  if (populations != world.population_count())
    throw CheckpointError(file + " holds " + std::to_string(populations) +
                          " populations, the model builds " +
                          std::to_string(world.population_count()));
  SavedAgents saved;
  saved.uids.resize(populations);
  saved.flags.resize(populations);
  for (std::size_t i = 0; i < populations; ++i) {
    Population& pop = world.population(i);
    const std::string pop_name = in.get_string("population name");
    if (pop_name != pop.name())
      throw CheckpointError(file + " has population '" + pop_name + "' where the model has '" +
                            pop.name() + "'");
    AgentIndex::State ids;
    if (layout == PopulationLayout::rows) {
      ids.sparse = in.get_vector<std::uint64_t>("agent index");
      ids.dense = in.get_vector<AgentId>("agent ids");
      ids.free_head = in.get<std::uint32_t>("free list head");
      ids.free_tail = in.get<std::uint32_t>("free list tail");
      ids.retired = in.get<std::uint64_t>("retired count");
    }
    std::vector<Uid> uids = in.get_vector<Uid>("agent uids");
    check_uids(uids, next_uid, layout == PopulationLayout::portable, file);
    auto refused_births = in.get<std::uint64_t>("refused births");
    if (layout == PopulationLayout::portable) {
      ids = compact_index(uids.size());
      saved.uids[i] = uids;
      // The count is a sum over ranks: rank 0 carries it on, so the sum stays the same.
      if (world.ranks().rank() != 0) refused_births = 0;
    }
    pop.clear();
    try {
      pop.restore(std::move(ids), std::move(uids));
    } catch (const std::invalid_argument& e) {
      throw CheckpointError(file + " is corrupt: " + e.what());
    }
    pop.set_refused_births(refused_births);
    read_columns(pop, in, file);
    if (layout == PopulationLayout::portable) read_payloads(pop, in, file);
  }
  return saved;
}

void read_ledger_flags(World& world, PopulationLayout layout, const SavedAgents& saved,
                       CheckpointReader& in, const std::string& file) {
  for (std::size_t i = 0; i < world.population_count(); ++i) {
    Population& pop = world.population(i);
    const std::vector<std::uint8_t> flags = in.get_vector<std::uint8_t>("ledger flags");
    const std::size_t agents =
        layout == PopulationLayout::portable ? saved.uids[i].size() : pop.size();
    if (flags.size() != (pop.has_agent_ledger() ? agents : 0))
      throw CheckpointError(file + " is corrupt: " + std::to_string(flags.size()) +
                            " ledger entries for population '" + pop.name() + "' of " +
                            std::to_string(agents) + " agents");
    for (Row r = 0; r < pop.size() && !flags.empty(); ++r) {
      std::size_t at = r;
      if (layout == PopulationLayout::portable) {
        // The model's load() kept some of the agents (those of this rank), in any row order.
        const std::vector<Uid>& uids = saved.uids[i];
        const auto it = std::lower_bound(uids.begin(), uids.end(), pop.uid_at(r));
        if (it == uids.end() || *it != pop.uid_at(r)) continue;  // created by load(): no flags
        at = static_cast<std::size_t>(it - uids.begin());
      }
      pop.account().ledger().restore_flags(r, flags[at]);
    }
  }
}

}  // namespace cohort::engine
