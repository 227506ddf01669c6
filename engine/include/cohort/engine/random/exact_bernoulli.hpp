#pragma once
// Bernoulli(p) trials decided a byte at a time against p's base-256 expansion: a uniform U is
// compared with p digit by digit, so the outcome is exactly U < p for any double p, at ~8 random
// bits a trial (a 53-bit uniform per trial would cost 64).

#include <cmath>
#include <cstdint>
#include <vector>

namespace cohort::engine {
inline namespace random_layer {

/// Hands out the bytes of a word source (any type with next_u32()), low byte first.
template <class Words>
class ByteSource {
 public:
  explicit ByteSource(Words& words) : words_(&words) {}
  std::uint8_t next() {
    if (left_ == 0) {
      word_ = words_->next_u32();
      left_ = 4;
    }
    const auto b = static_cast<std::uint8_t>(word_);
    word_ >>= 8;
    --left_;
    return b;
  }

 private:
  Words* words_;
  std::uint32_t word_ = 0;
  unsigned left_ = 0;
};

/// Exact trials with success probability p in [0, 1].
class ExactBernoulli {
 public:
  explicit ExactBernoulli(double p) : certain_(p >= 1.0) {
    // A double's expansion is finite: multiply by 256 and peel off integer parts (all exact).
    double rest = p;
    while (!certain_ && rest > 0.0) {
      rest *= 256.0;
      const double digit = std::floor(rest);
      digits_.push_back(static_cast<std::uint8_t>(digit));
      rest -= digit;
    }
  }

  /// True with probability p. U matches p on every digit of p only if U >= p (U = p has
  /// probability 0), so running out of digits means failure.
  template <class Words>
  bool operator()(ByteSource<Words>& bytes) const {
    if (certain_) return true;
    for (const std::uint8_t d : digits_) {
      const std::uint8_t b = bytes.next();
      if (b != d) return b < d;
    }
    return false;
  }

 private:
  bool certain_;
  std::vector<std::uint8_t> digits_;
};

}  // namespace random_layer
}  // namespace cohort::engine
