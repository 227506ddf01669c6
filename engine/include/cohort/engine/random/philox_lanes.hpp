#pragma once
// The engine's Philox streams of many agents computed side by side. A single stream is a chain
// of dependent multiplies (8-15 ns a block here); eight agents' blocks in SIMD lanes cost ~2.7 ns
// each (bench/gene_network_bench.cpp; batches are now 16 streams, two AVX-512 vectors). The words
// are exactly RandomStream's (a test checks them word for word), so this is the same
// counter-based randomness, only computed in batches.

#include <cstdint>
#include <span>

#include "cohort/engine/agent_id.hpp"
#include "cohort/engine/random_stream.hpp"

namespace cohort::engine {
inline namespace random_layer {

/// What keys a family of streams apart from the agent: RandomStream's other arguments.
struct StreamFamily {
  std::uint64_t seed = 0;
  std::uint64_t step = 0;
  std::uint16_t stream = 0;
};

/// Writes the first `blocks` blocks (4 words each) of every agent's stream:
/// out[a * blocks * 4 + i] is the i-th word RandomStream(seed, uids[a], step, stream).next_u32()
/// would return.
void philox_prefix(const StreamFamily& family, std::span<const Uid> uids, unsigned blocks,
                   std::uint32_t* out);

/// Writes blocks [first, first + count) of `uid`'s stream (4 words each, in order) to out: the
/// words RandomStream(seed, uid, step, stream) returns from word 4 * first on, sixteen blocks side
/// by side.
void philox_blocks(const StreamFamily& family, Uid uid, std::uint32_t first, unsigned count,
                   std::uint32_t* out);

/// Computes block `block` (4 words) of `uid`'s stream into out[0, 4), one block at a time.
void philox_block(const StreamFamily& family, Uid uid, std::uint32_t block, std::uint32_t* out);

/// One agent's stream: the precomputed prefix first, then one block at a time into `spill` (4
/// words of the caller's). Only a cursor and where to continue: the hot loops never take its
/// address, so it lives in registers (a Philox block held inside it would not).
class StreamWords {
 public:
  StreamWords(const StreamFamily& family, Uid agent, const std::uint32_t* prefix,
              unsigned prefix_blocks, std::uint32_t* spill)
      : cur_(prefix),
        end_(prefix + std::size_t{prefix_blocks} * 4),
        spill_(spill),
        family_(&family),
        agent_(agent),
        next_block_(prefix_blocks) {}

  std::uint32_t next_u32() {
    if (cur_ == end_) [[unlikely]]
      refill();
    return *cur_++;
  }
  /// Two words, the first in the high half (as RandomStream::next_u64).
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform in [0, 1) with 53 random bits (as RandomStream::uniform).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n) (as RandomStream::below). n > 0.
  std::uint32_t below(std::uint32_t n) { return uniform_below(*this, n); }

 private:
  void refill() {
    philox_block(*family_, agent_, next_block_++, spill_);
    cur_ = spill_;
    end_ = spill_ + 4;
  }

  const std::uint32_t* cur_;
  const std::uint32_t* end_;
  std::uint32_t* spill_;
  const StreamFamily* family_;
  Uid agent_;
  std::uint32_t next_block_;
};

/// One stream, word for word RandomStream(seed, uid, step, stream), computed sixteen blocks at a
/// time in SIMD lanes: for long runs of draws from one stream (a shuffle), where RandomStream's
/// chain of dependent multiplies per block is the cost.
class BatchedStream {
 public:
  BatchedStream(const StreamFamily& family, Uid uid) : family_(family), uid_(uid) {}

  std::uint32_t next_u32() {
    if (cur_ == kWords) [[unlikely]]
      refill();
    return words_[cur_++];
  }
  /// Uniform integer in [0, n) (as RandomStream::below). n > 0.
  std::uint32_t below(std::uint32_t n) { return uniform_below(*this, n); }

 private:
  static constexpr unsigned kBlocks = 16;
  static constexpr unsigned kWords = 4 * kBlocks;

  void refill() {
    philox_blocks(family_, uid_, next_block_, kBlocks, words_);
    next_block_ += kBlocks;
    cur_ = 0;
  }

  StreamFamily family_;
  Uid uid_;
  std::uint32_t next_block_ = 0;
  unsigned cur_ = kWords;
  std::uint32_t words_[kWords];
};

}  // namespace random_layer
}  // namespace cohort::engine
