#pragma once
// The gap to the next mutated gene, Geometric(rate) truncated at G, drawn with one 64-bit word
// from a Walker alias table: P(gap = k) = rate (1 - rate)^k for k < G, and the rest of the mass,
// (1 - rate)^G, on "no further mutation". No logarithm, division or rounding per draw, and the
// same distribution as floor(log U / log(1 - rate)) (only positions inside the genome matter).

#include <cstdint>
#include <vector>

namespace cohort::engine {
inline namespace random_layer {

/// Alias table of the truncated geometric distribution for one rate and genome length.
class GeometricSkip {
 public:
  GeometricSkip() = default;
  /// rate in (0, 1); `genes` >= 1.
  GeometricSkip(double rate, std::uint32_t genes);

  /// A gap in [0, genes]; `genes` means no further gene mutates.
  template <class Words>
  [[gnu::always_inline]] std::uint32_t operator()(Words& words) const {
    // Column = floor(w * n / 2^64), and the low 64 bits of w * n are a fresh uniform for the
    // column's coin: 32 x 32 -> 64 bit products keep it exact without 128-bit types.
    const std::uint64_t w = words.next_u64();
    const std::uint64_t n = keep_.size();
    const std::uint64_t low = (w & 0xffffffffu) * n;
    const std::uint64_t high = (w >> 32) * n + (low >> 32);
    const auto column = static_cast<std::uint32_t>(high >> 32);
    const std::uint64_t coin = (high << 32) | (low & 0xffffffffu);
    const std::uint32_t other = alias_[column];  // loaded either way: a select, not a branch
    return coin < keep_[column] ? column : other;
  }

  std::size_t bytes() const { return keep_.capacity() * 8 + alias_.capacity() * 4; }

 private:
  std::vector<std::uint64_t> keep_;   // chance (x 2^64) a column keeps its own outcome
  std::vector<std::uint32_t> alias_;  // the other outcome of the column
};

}  // namespace random_layer
}  // namespace cohort::engine
