#pragma once
// Standard normal draws by the 256-layer ziggurat (Marsaglia and Tsang): an exact method that
// needs one 64-bit word and a table look-up in ~99% of draws, against Box-Muller's two words, a
// logarithm, a square root and a sine per pair.

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <utility>

namespace cohort::engine {
inline namespace random_layer {

/// The ziggurat's layer tables, computed once.
struct ZigguratTables {
  static constexpr double kTailStart = 3.6541528853610088;  ///< r, where the tail begins
  static constexpr double kLayerArea = 0.00492867323399;    ///< v, the area of every layer
  std::array<double, 257> x{};  ///< layer edges, x[0] = v / f(r) (the base strip), x[256] = 0
  std::array<double, 257> f{};  ///< f(x[i]) = exp(-x[i]^2 / 2)

  static const ZigguratTables& get();
};

/// The draws after a word missed its layer's core rectangle (~1%): the tail, the wedge, and
/// fresh words until one is accepted. Out of line, and taking the word source by value (returning
/// it advanced), so the caller's source never has its address taken and can live in registers.
template <class Words>
[[gnu::noinline]] std::pair<double, Words> normal_after_miss(const ZigguratTables& z, Words words,
                                                             std::uint64_t w) {
  for (;;) {
    const unsigned layer = w & 0xff;                            // bits 0-7
    const bool negative = (w >> 8) & 1;                         // bit 8
    const double u = static_cast<double>(w >> 11) * 0x1.0p-53;  // bits 11-63, uniform [0, 1)
    const double x = u * z.x[layer];
    if (x < z.x[layer + 1]) return {negative ? -x : x, words};  // inside the core rectangle
    if (layer == 0) {
      // The tail beyond r, by Marsaglia's exponential rejection.
      double tx, ty;
      do {
        tx = -std::log(1.0 - words.uniform()) / ZigguratTables::kTailStart;
        ty = -std::log(1.0 - words.uniform());
      } while (ty + ty < tx * tx);
      const double t = ZigguratTables::kTailStart + tx;
      return {negative ? -t : t, words};
    }
    // The wedge between the rectangle and the curve.
    const double y = z.f[layer] + words.uniform() * (z.f[layer + 1] - z.f[layer]);
    if (y < std::exp(-0.5 * x * x)) return {negative ? -x : x, words};
    w = words.next_u64();
  }
}

/// N(0, 1) from `words`, any source with next_u64() and uniform() (e.g. StreamWords), with the
/// tables `z` (ZigguratTables::get(), looked up once by the caller).
template <class Words>
[[gnu::always_inline]] inline double standard_normal(const ZigguratTables& z, Words& words) {
  const std::uint64_t w = words.next_u64();
  const double x = static_cast<double>(w >> 11) * 0x1.0p-53 * z.x[w & 0xff];
  if (x < z.x[(w & 0xff) + 1]) [[likely]]  // bit 8 is the sign: flipped without a branch
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((w >> 8 & 1) << 63));
  auto [value, rest] = normal_after_miss(z, words, w);
  words = rest;
  return value;
}

}  // namespace random_layer
}  // namespace cohort::engine
