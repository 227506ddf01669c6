#pragma once
// Claims: several agents may ask for one resource (a cell, a prey, a mate) in the same phase; at
// the phase end one claimant per resource wins by a declared deterministic rule, and every
// claimant is told whether it won.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/agent_index.hpp"

namespace cohort::engine {

class World;
class Population;

/// Handle to a claim channel carrying payloads of type T (see World::add_claims).
template <class T>
struct Claim {
  std::uint32_t channel = 0xffffffffu;
};

/// How the winner among the claimants of one resource is chosen.
enum class ClaimRule : std::uint8_t {
  /// A keyed random draw per (seed, step, channel, resource, claimant uid): fair, and the same on
  /// any thread count, row order or (later) rank count.
  random,
  /// The claimant with the lowest uid (the oldest agent).
  lowest_uid,
};

/// What a claim's outcome callback is told.
template <class T>
struct ClaimOutcome {
  World& world;
  Population& population;  ///< the claimant's population
  Row row;                 ///< the claimant's row (valid until deaths are applied)
  Uid uid;                 ///< the claimant's uid
  std::uint64_t resource;
  const T& payload;
  bool won;
};

/// The type-independent part of a claim channel, driven by the world at each phase end.
class ClaimChannelBase {
 public:
  ClaimChannelBase(std::string name, std::uint16_t source, ClaimRule rule)
      : name_(std::move(name)), source_(source), rule_(rule) {}
  virtual ~ClaimChannelBase() = default;
  const std::string& name() const { return name_; }
  std::uint16_t source() const { return source_; }
  ClaimRule rule() const { return rule_; }
  /// Resolves every pending claim (callbacks run on the calling thread, in resource order) and
  /// empties the channel.
  virtual void resolve(World& world, std::uint32_t ordinal) = 0;
  virtual void resize_threads(std::size_t threads) = 0;
  /// Claims made since the last resolve (all threads).
  virtual std::size_t pending() const = 0;

 private:
  std::string name_;
  std::uint16_t source_;
  ClaimRule rule_;
};

/// A claim channel's storage: one buffer per thread, appended to without locks.
template <class T>
class ClaimChannel : public ClaimChannelBase {
 public:
  struct Entry {
    std::uint64_t resource;
    std::uint64_t draw;  // the rule's rank: lowest wins
    Uid source;
    Row row;
    T payload;
  };
  using ClaimChannelBase::ClaimChannelBase;
  void push(std::size_t thread, const Entry& e) { buffers_[thread].push_back(e); }
  void resize_threads(std::size_t threads) override { buffers_.resize(threads); }
  std::size_t pending() const override {
    std::size_t n = 0;
    for (const auto& b : buffers_)
      n += b.size();
    return n;
  }

 protected:
  std::vector<std::vector<Entry>> buffers_;
  std::vector<Entry> all_;
};

}  // namespace cohort::engine
