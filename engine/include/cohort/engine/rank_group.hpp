#pragma once
// The processes one simulation is spread over (MPI ranks). A World runs on one rank of a
// RankGroup; without MPI that is the only rank of SingleRank. The engine uses it to reduce what
// it reports (agent counts, memory) and to let rank 0 alone write the run's files; models and
// the distributed layer use it to exchange agents. The MPI implementation lives in
// distributed/, so the engine never depends on MPI.

#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace cohort::engine {

/// Messages of one exchange: bytes for (or from) each rank, indexed by rank.
using RankMessages = std::vector<std::vector<std::byte>>;

/// Collective operations over the ranks of one run. Every rank calls each operation, in the same
/// order (as MPI collectives).
class RankGroup {
 public:
  virtual ~RankGroup() = default;
  /// This process's rank, in [0, size()).
  virtual int rank() const = 0;
  /// How many ranks the run is spread over.
  virtual int size() const = 0;
  /// Every rank's `mine`, indexed by rank, on every rank.
  virtual RankMessages all_gather(std::span<const std::byte> mine) const = 0;
  /// Sends out[r] to rank r (out has size() entries); returns what each rank sent to this one.
  virtual RankMessages exchange(const RankMessages& out) const = 0;
  /// Waits until every rank has arrived.
  virtual void barrier() const = 0;
};

/// One process: the run is not distributed.
class SingleRank final : public RankGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  RankMessages all_gather(std::span<const std::byte> mine) const override {
    return {std::vector<std::byte>(mine.begin(), mine.end())};
  }
  RankMessages exchange(const RankMessages& out) const override { return out; }
  void barrier() const override {}
};

/// Every rank's value of a trivially copyable T, indexed by rank.
template <class T>
std::vector<T> gather_values(const RankGroup& ranks, const T& mine) {
  static_assert(std::is_trivially_copyable_v<T>);
  const RankMessages all = ranks.all_gather(std::as_bytes(std::span(&mine, 1)));
  std::vector<T> out(all.size());
  for (std::size_t r = 0; r < all.size(); ++r)
    std::memcpy(&out[r], all[r].data(), sizeof(T));
  return out;
}

/// The sum over ranks, added in rank order: exact and rank-count independent for integers
/// (fixed-point sums); for floating point it depends on how the terms were spread.
template <class T>
T sum_over_ranks(const RankGroup& ranks, const T& mine) {
  T total{};
  for (const T& v : gather_values(ranks, mine))
    total += v;
  return total;
}

/// Every rank's `mine` on rank 0, indexed by rank; empty on the other ranks (a gather to one
/// rank: what is written by rank 0 alone need not travel to every rank).
inline RankMessages gather_to_root(const RankGroup& ranks, std::vector<std::byte> mine) {
  if (ranks.size() == 1) return {std::move(mine)};
  RankMessages out(static_cast<std::size_t>(ranks.size()));
  out[0] = std::move(mine);
  RankMessages in = ranks.exchange(out);
  if (ranks.rank() != 0) in.clear();
  return in;
}

/// Rank 0's `bytes` on every rank (what the other ranks pass is ignored).
inline std::vector<std::byte> broadcast_from_root(const RankGroup& ranks,
                                                  std::vector<std::byte> bytes) {
  if (ranks.size() == 1) return bytes;
  RankMessages out(static_cast<std::size_t>(ranks.size()));
  if (ranks.rank() == 0) out.assign(out.size(), bytes);
  return std::move(ranks.exchange(out)[0]);
}

}  // namespace cohort::engine
