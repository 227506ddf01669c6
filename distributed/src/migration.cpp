#include "cohort/distributed/migration.hpp"

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

namespace cohort::distributed {

namespace {

// One migrating agent: its uid, each value component in column order (handle columns hold
// addresses in this process: they travel as the payload instead), then, with a payload codec,
// the payload's length and bytes.
void pack(const engine::Population& pop, engine::Row row, std::vector<std::byte>& out) {
  const auto put = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    out.insert(out.end(), b, b + n);
  };
  const engine::Uid uid = pop.uid_at(row);
  put(&uid, sizeof uid);
  for (const engine::ComponentColumn& c : pop.columns())
    if (c.kind() == engine::ColumnKind::value)
      put(c.bytes() + row * c.value_bytes(), c.value_bytes());
  if (const engine::AgentPayloadCodec* codec = pop.payload_codec()) {
    const std::size_t at = out.size();
    std::uint64_t length = 0;
    put(&length, sizeof length);
    codec->save(pop, row, out);
    length = out.size() - at - sizeof length;
    std::memcpy(out.data() + at, &length, sizeof length);
  }
}

// Reads one agent pack() wrote at `in`, creates it, and returns the bytes it took.
std::size_t unpack(engine::Population& pop, std::span<const std::byte> in) {
  std::size_t at = 0;
  const auto take = [&](void* p, std::size_t n) {
    if (in.size() - at < n)
      throw std::runtime_error("migration: a message ends inside an agent of population '" +
                               pop.name() + "'");
    std::memcpy(p, in.data() + at, n);
    at += n;
  };
  engine::Uid uid;
  take(&uid, sizeof uid);
  const engine::Row row = pop.row_of(pop.create_with_uid(uid));
  for (std::size_t k = 0; k < pop.column_count(); ++k) {
    engine::ComponentColumn& c = pop.column_at(k);
    if (c.kind() == engine::ColumnKind::value)
      take(c.bytes() + row * c.value_bytes(), c.value_bytes());
  }
  if (const engine::AgentPayloadCodec* codec = pop.payload_codec()) {
    std::uint64_t length = 0;
    take(&length, sizeof length);
    if (in.size() - at < length)
      throw std::runtime_error("migration: a payload runs past its message");
    codec->load(pop, row, in.subspan(at, length));
    at += length;
  }
  return at;
}

}  // namespace

template <int D>
std::size_t migrate(engine::Population& population, engine::Component<Vec<D>> position,
                    const BoxDecomposition<D>& decomposition, const engine::RankGroup& ranks) {
  if (ranks.size() == 1) return 0;
  if (population.payload_codec() == nullptr && population.has_agent_ledger() &&
      population.account().used(memory::Scope::agents) != 0)
    throw std::invalid_argument("migration of population '" + population.name() +
                                "': its agents hold pooled per-agent data and the population has "
                                "no payload codec to carry it (Population::set_payload_codec)");
  const int self = ranks.rank();
  engine::RankMessages out(static_cast<std::size_t>(ranks.size()));
  std::vector<engine::Row> leaving;
  const auto pos = population.column(position);
  for (engine::Row r = 0; r < pos.size(); ++r) {
    const int owner = decomposition.owner(pos[r]);
    if (owner == self) continue;
    pack(population, r, out[static_cast<std::size_t>(owner)]);
    leaving.push_back(r);
  }
  // Highest row first: each swap-remove then fills the hole with a row that stays.
  for (auto it = leaving.rbegin(); it != leaving.rend(); ++it)
    population.destroy(population.id_at(*it));
  const engine::RankMessages in = ranks.exchange(out);
  for (const std::vector<std::byte>& message : in)
    for (std::size_t at = 0; at < message.size();)
      at += unpack(population, std::span<const std::byte>(message).subspan(at));
  return leaving.size();
}

template std::size_t migrate<2>(engine::Population&, engine::Component<Vec<2>>,
                                const BoxDecomposition<2>&, const engine::RankGroup&);
template std::size_t migrate<3>(engine::Population&, engine::Component<Vec<3>>,
                                const BoxDecomposition<3>&, const engine::RankGroup&);

}  // namespace cohort::distributed
