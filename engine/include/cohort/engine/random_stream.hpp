#pragma once
// Counter-based random numbers (Philox4x32-10 from Random123): a stream is a pure function of
// (seed, uid, step, stream), so results do not depend on threads, rows, order or (later) ranks.

#include <Random123/philox.h>
#include <Random123/boxmuller.hpp>

#include <cstdint>

#include "cohort/engine/agent_id.hpp"

namespace cohort::engine {

/// The Philox key of (seed, stream): seed + stream * 2^64/phi (mod 2^64). For one seed, distinct
/// streams get distinct keys (an odd multiplier is a bijection), so the streams are independent.
constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint16_t stream) {
  return seed + std::uint64_t{stream} * 0x9E3779B97F4A7C15ull;
}

/// Uniform integer in [0, n) from any source of 32-bit words (`words.next_u32()`), unbiased
/// (Lemire's multiply-and-reject); the words drawn are the same whichever the source. n > 0.
template <class Words>
std::uint32_t uniform_below(Words& words, std::uint32_t n) {
  std::uint64_t m = std::uint64_t{words.next_u32()} * n;
  auto low = static_cast<std::uint32_t>(m);
  if (low < n) {
    const std::uint32_t threshold = (0u - n) % n;
    while (low < threshold) {
      m = std::uint64_t{words.next_u32()} * n;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

/// Independent random numbers for one agent (or one population) in one step and one named
/// stream. Cheap to create: no state beyond the key, the counter and a buffer of four words.
///
/// Key: stream_key(seed, stream). Counter: words 0-1 = uid (low, high), word 2 = step (low 32
/// bits), word 3 = blocks drawn so far (4 words each). tests/engine/random_stream_test.cpp pins
/// the words of fixed keys, so a change of this layout cannot pass silently.
class RandomStream {
 public:
  using Philox = r123::Philox4x32;

  RandomStream(std::uint64_t seed, Uid uid, std::uint64_t step, std::uint16_t stream)
      : key_{{static_cast<std::uint32_t>(stream_key(seed, stream)),
              static_cast<std::uint32_t>(stream_key(seed, stream) >> 32)}},
        counter_{{static_cast<std::uint32_t>(uid), static_cast<std::uint32_t>(uid >> 32),
                  static_cast<std::uint32_t>(step), 0}} {}

  /// A stream for population-wide draws (no particular agent): keyed by the population's uid.
  static RandomStream for_population(std::uint64_t seed, std::uint16_t population,
                                     std::uint64_t step, std::uint16_t stream) {
    return RandomStream(seed, kPopulationUidBase | population, step, stream);
  }

  std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_.v[used_++];
  }
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }
  /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n > 0.
  std::uint32_t below(std::uint32_t n) { return uniform_below(*this, n); }
  /// Standard normal N(0, 1) (Box-Muller on two 64-bit draws; the pair's second value is kept).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const std::uint64_t a = next_u64();
    const std::uint64_t b = next_u64();
    const r123::double2 pair = r123::boxmuller(a, b);
    spare_ = pair.y;
    has_spare_ = true;
    return pair.x;
  }

 private:
  void refill() {
    block_ = Philox()(counter_, key_);
    ++counter_.v[3];
    used_ = 0;
  }

  Philox::key_type key_;
  Philox::ctr_type counter_;
  Philox::ctr_type block_{};
  unsigned used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace cohort::engine
