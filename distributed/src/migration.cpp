#include "cohort/distributed/migration.hpp"

#include <cstring>
#include <stdexcept>

namespace cohort::distributed {

namespace {

// Bytes of one migrating agent: its uid, then each component's value in column order.
std::size_t record_bytes(const engine::Population& pop) {
  std::size_t bytes = sizeof(engine::Uid);
  for (const engine::ComponentColumn& c : pop.columns())
    bytes += c.value_bytes();
  return bytes;
}

void pack(const engine::Population& pop, engine::Row row, std::vector<std::byte>& out) {
  const engine::Uid uid = pop.uid_at(row);
  const std::byte* u = reinterpret_cast<const std::byte*>(&uid);
  out.insert(out.end(), u, u + sizeof uid);
  for (const engine::ComponentColumn& c : pop.columns()) {
    const std::byte* v = c.bytes() + row * c.value_bytes();
    out.insert(out.end(), v, v + c.value_bytes());
  }
}

void unpack(engine::Population& pop, const std::byte* in) {
  engine::Uid uid;
  std::memcpy(&uid, in, sizeof uid);
  in += sizeof uid;
  const engine::Row row = pop.row_of(pop.create_with_uid(uid));
  for (std::size_t k = 0; k < pop.column_count(); ++k) {
    engine::ComponentColumn& c = pop.column_at(k);
    std::memcpy(c.bytes() + row * c.value_bytes(), in, c.value_bytes());
    in += c.value_bytes();
  }
}

}  // namespace

template <int D>
std::size_t migrate(engine::Population& population, engine::Component<Vec<D>> position,
                    const BoxDecomposition<D>& decomposition, const engine::RankGroup& ranks) {
  if (ranks.size() == 1) return 0;
  if (population.has_agent_ledger() && population.account().used(memory::Scope::agents) != 0)
    throw std::invalid_argument("migration of population '" + population.name() +
                                "': agents with pooled per-agent data do not migrate yet");
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
  const std::size_t bytes = record_bytes(population);
  for (const std::vector<std::byte>& message : in) {
    if (message.size() % bytes != 0)
      throw std::runtime_error("migration: a message of " + std::to_string(message.size()) +
                               " bytes is not a whole number of agents");
    for (std::size_t at = 0; at < message.size(); at += bytes)
      unpack(population, message.data() + at);
  }
  return leaving.size();
}

template std::size_t migrate<2>(engine::Population&, engine::Component<Vec<2>>,
                                const BoxDecomposition<2>&, const engine::RankGroup&);
template std::size_t migrate<3>(engine::Population&, engine::Component<Vec<3>>,
                                const BoxDecomposition<3>&, const engine::RankGroup&);

}  // namespace cohort::distributed
