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

// One rank's agents of one population, for rank 0: uids, each value column, ledger flags, and
// each agent's pooled data saved by the payload codec.
std::vector<std::byte> pack_agents(const Population& pop) {
  const AgentPayloadCodec* codec = pooled_codec(pop);
  CheckpointWriter w;
  w.put_vector(std::vector<Uid>(pop.uids().begin(), pop.uids().end()));
  w.put(pop.refused_births());
  for (std::size_t c = 0; c < pop.column_count(); ++c) {
    const ComponentColumn& col = pop.column_at(c);
    if (col.kind() == ColumnKind::value) w.put_bytes(col.bytes(), col.size() * col.value_bytes());
  }
  w.put_vector(ledger_flags(pop));
  if (codec != nullptr) {
    std::vector<std::byte> payload;
    for (Row r = 0; r < pop.size(); ++r) {
      payload.clear();
      codec->save(pop, r, payload);
      w.put_vector(payload);
    }
  }
  return w.bytes();
}

// Rank 0: every rank's agents of `pop`, merged in uid order (collective: every rank calls it).
void write_portable(const Population& pop, const RankGroup& ranks, CheckpointWriter& out,
                    std::vector<Uid>& saved_uids, std::vector<std::uint8_t>& saved_flags) {
  const bool pooled = pooled_codec(pop) != nullptr;
  const RankMessages all = gather_to_root(ranks, pack_agents(pop));
  if (ranks.rank() != 0) return;
  // Each rank's message: uids, refused births, then the value columns back to back, then the
  // flags, then (pooled data) each agent's payload.
  struct Part {
    std::vector<Uid> uids;
    std::vector<const std::byte*> columns;  // null for a handle column
    std::vector<std::uint8_t> flags;
    std::vector<std::vector<std::byte>> payloads;
  };
  std::vector<Part> parts(all.size());
  std::uint64_t refused = 0;
  for (std::size_t p = 0; p < all.size(); ++p) {
    const std::vector<std::byte>& message = all[p];
    CheckpointReader in(message.data(), message.size());
    Part& part = parts[p];
    part.uids = in.get_vector<Uid>("gathered uids");
    refused += in.get<std::uint64_t>("gathered refused births");
    std::size_t at = in.offset();
    for (std::size_t c = 0; c < pop.column_count(); ++c) {
      const ComponentColumn& col = pop.column_at(c);
      part.columns.push_back(col.kind() == ColumnKind::value ? message.data() + at : nullptr);
      if (col.kind() == ColumnKind::value) at += part.uids.size() * col.value_bytes();
    }
    CheckpointReader tail(message.data() + at, message.size() - at);
    part.flags = tail.get_vector<std::uint8_t>("gathered ledger flags");
    if (pooled)
      for (std::size_t r = 0; r < part.uids.size(); ++r)
        part.payloads.push_back(tail.get_vector<std::byte>("gathered agent payload"));
  }
  struct Origin {
    Uid uid;
    std::uint32_t part, row;
  };
  std::vector<Origin> order;
  for (std::size_t p = 0; p < parts.size(); ++p)
    for (std::size_t r = 0; r < parts[p].uids.size(); ++r)
      order.push_back(
          {parts[p].uids[r], static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(r)});
  std::sort(order.begin(), order.end(),
            [](const Origin& a, const Origin& b) { return a.uid < b.uid; });

  saved_uids.resize(order.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    saved_uids[i] = order[i].uid;
  out.put_vector(saved_uids);
  out.put(refused);
  out.put<std::uint64_t>(pop.column_count());
  std::vector<std::byte> column;
  for (std::size_t c = 0; c < pop.column_count(); ++c) {
    const ComponentColumn& col = pop.column_at(c);
    put_column_header(col, out);
    if (col.kind() != ColumnKind::value) continue;  // pooled data: the payloads below
    const std::size_t vb = col.value_bytes();
    column.resize(order.size() * vb);
    for (std::size_t i = 0; i < order.size(); ++i)
      std::memcpy(column.data() + i * vb, parts[order[i].part].columns[c] + order[i].row * vb, vb);
    out.put_bytes(column.data(), column.size());
  }
  if (pooled)
    for (const Origin& o : order)
      out.put_vector(parts[o.part].payloads[o.row]);
  saved_flags.clear();
  if (pop.has_agent_ledger())
    for (const Origin& o : order)
      saved_flags.push_back(parts[o.part].flags[o.row]);
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
      write_portable(pop, world.ranks(), out, saved.uids[i], saved.flags[i]);
  }
  if (layout == PopulationLayout::portable && world.ranks().rank() != 0) out = CheckpointWriter();
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
