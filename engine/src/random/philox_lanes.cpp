#include "cohort/engine/random/philox_lanes.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <array>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace cohort::engine {
inline namespace random_layer {

namespace {

// Philox4x32-10 constants (Random123).
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
// Agents per batch: two AVX-512 vectors, so two independent multiply chains fill the pipeline
// (one vector of 8 was latency-bound: the kernel was a tenth of a WolfSheep run).
constexpr unsigned kLanes = 16;

// Words of one batch: [word][lane] for each block, filled by a kernel, then transposed to the
// caller's agent-major layout.
using BlockWords = std::array<std::array<std::uint64_t, kLanes>, 4>;

void scatter(const BlockWords& w, unsigned block, unsigned blocks, unsigned lanes,
             std::uint32_t* out) {
  for (unsigned l = 0; l < lanes; ++l)
    for (unsigned i = 0; i < 4; ++i)
      out[(l * blocks + block) * 4 + i] = static_cast<std::uint32_t>(w[i][l]);
}

// Computes `blocks` blocks of `lanes` streams from block first_block[lane] on: out[(lane * blocks +
// b) * 4 + i].
using Kernel = void (*)(const StreamFamily&, const std::uint32_t*, const std::uint32_t*,
                        const std::uint32_t*, unsigned, unsigned, std::uint32_t*);

#if defined(__x86_64__)

// One round on V vectors of 64-bit lanes, each holding a 32-bit counter word: the 32 x 32 -> 64
// multiply is one pmuludq, and the high and low halves are a shift and a mask.
#define COHORT_PHILOX_KERNEL(NAME, TARGET, VEC, N, SET1, SETLANES, MUL, SRL, XOR, AND, ADD, STORE) \
  TARGET void NAME(const StreamFamily& f, const std::uint32_t* uid_lo,                             \
                   const std::uint32_t* uid_hi, const std::uint32_t* first_block, unsigned blocks, \
                   unsigned lanes, std::uint32_t* out) {                                           \
    const VEC m0 = SET1(kM0), m1 = SET1(kM1), low = SET1(0xffffffffu);                             \
    const VEC step = SET1(static_cast<std::uint32_t>(f.step));                                     \
    const std::uint64_t key = stream_key(f.seed, f.stream);                                        \
    VEC a[N], h[N], first[N];                                                                      \
    for (unsigned v = 0; v < N; ++v) {                                                             \
      a[v] = SETLANES(uid_lo + v * (kLanes / N));                                                  \
      h[v] = SETLANES(uid_hi + v * (kLanes / N));                                                  \
      first[v] = SETLANES(first_block + v * (kLanes / N));                                         \
    }                                                                                              \
    alignas(64) BlockWords words;                                                                  \
    for (unsigned b = 0; b < blocks; ++b) {                                                        \
      VEC c0[N], c1[N], c2[N], c3[N];                                                              \
      for (unsigned v = 0; v < N; ++v) {                                                           \
        c0[v] = a[v];                                                                              \
        c1[v] = h[v];                                                                              \
        c2[v] = step;                                                                              \
        c3[v] = ADD(first[v], SET1(b));                                                            \
      }                                                                                            \
      std::uint32_t k0 = static_cast<std::uint32_t>(key);                                          \
      std::uint32_t k1 = static_cast<std::uint32_t>(key >> 32);                                    \
      for (int round = 0; round < 10; ++round) {                                                   \
        const VEC key0 = SET1(k0), key1 = SET1(k1);                                                \
        for (unsigned v = 0; v < N; ++v) {                                                         \
          const VEC p0 = MUL(c0[v], m0), p1 = MUL(c2[v], m1);                                      \
          c0[v] = XOR(XOR(SRL(p1, 32), c1[v]), key0);                                              \
          c2[v] = XOR(XOR(SRL(p0, 32), c3[v]), key1);                                              \
          c1[v] = AND(p1, low);                                                                    \
          c3[v] = AND(p0, low);                                                                    \
        }                                                                                          \
        k0 += kW0;                                                                                 \
        k1 += kW1;                                                                                 \
      }                                                                                            \
      for (unsigned v = 0; v < N; ++v) {                                                           \
        STORE(&words[0][v * (kLanes / N)], c0[v]);                                                 \
        STORE(&words[1][v * (kLanes / N)], c1[v]);                                                 \
        STORE(&words[2][v * (kLanes / N)], c2[v]);                                                 \
        STORE(&words[3][v * (kLanes / N)], c3[v]);                                                 \
      }                                                                                            \
      scatter(words, b, blocks, lanes, out);                                                       \
    }                                                                                              \
  }

#define COHORT_SSE2_SET1(x) _mm_set1_epi64x(static_cast<long long>(x))
#define COHORT_SSE2_LANES(p) _mm_set_epi64x((p)[1], (p)[0])
#define COHORT_SSE2_STORE(p, v) _mm_store_si128(reinterpret_cast<__m128i*>(p), v)
COHORT_PHILOX_KERNEL(philox_sse2, , __m128i, 8, COHORT_SSE2_SET1, COHORT_SSE2_LANES, _mm_mul_epu32,
                     _mm_srli_epi64, _mm_xor_si128, _mm_and_si128, _mm_add_epi64, COHORT_SSE2_STORE)

#define COHORT_AVX2_SET1(x) _mm256_set1_epi64x(static_cast<long long>(x))
#define COHORT_AVX2_LANES(p) _mm256_set_epi64x((p)[3], (p)[2], (p)[1], (p)[0])
#define COHORT_AVX2_STORE(p, v) _mm256_store_si256(reinterpret_cast<__m256i*>(p), v)
COHORT_PHILOX_KERNEL(philox_avx2, __attribute__((target("avx2"))), __m256i, 4, COHORT_AVX2_SET1,
                     COHORT_AVX2_LANES, _mm256_mul_epu32, _mm256_srli_epi64, _mm256_xor_si256,
                     _mm256_and_si256, _mm256_add_epi64, COHORT_AVX2_STORE)

// GCC 12's _mm512_undefined_epi32 initialises a variable from itself, which -Wmaybe-uninitialized
// reports inside every AVX-512 intrinsic using it (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define COHORT_AVX512_SET1(x) _mm512_set1_epi64(static_cast<long long>(x))
#define COHORT_AVX512_LANES(p) \
  _mm512_set_epi64((p)[7], (p)[6], (p)[5], (p)[4], (p)[3], (p)[2], (p)[1], (p)[0])
#define COHORT_AVX512_STORE(p, v) _mm512_store_si512(p, v)
COHORT_PHILOX_KERNEL(philox_avx512, __attribute__((target("avx512f"))), __m512i, 2,
                     COHORT_AVX512_SET1, COHORT_AVX512_LANES, _mm512_mul_epu32, _mm512_srli_epi64,
                     _mm512_xor_si512, _mm512_and_si512, _mm512_add_epi64, COHORT_AVX512_STORE)
#pragma GCC diagnostic pop

Kernel pick_kernel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return philox_avx512;
  if (__builtin_cpu_supports("avx2")) return philox_avx2;
  return philox_sse2;
}

#else

// Portable fallback: one block at a time through Random123.
void philox_scalar(const StreamFamily& f, const std::uint32_t* uid_lo, const std::uint32_t* uid_hi,
                   const std::uint32_t* first_block, unsigned blocks, unsigned lanes,
                   std::uint32_t* out) {
  for (unsigned l = 0; l < lanes; ++l)
    for (unsigned b = 0; b < blocks; ++b)
      philox_block(f, (Uid{uid_hi[l]} << 32) | uid_lo[l], first_block[l] + b,
                   out + (l * blocks + b) * 4);
}

#endif

}  // namespace

void philox_block(const StreamFamily& family, Uid uid, std::uint32_t block, std::uint32_t* out) {
  const std::uint64_t k = stream_key(family.seed, family.stream);
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32)}};
  const r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(uid),
                                               static_cast<std::uint32_t>(uid >> 32),
                                               static_cast<std::uint32_t>(family.step), block}};
  const r123::Philox4x32::ctr_type words = r123::Philox4x32()(counter, key);
  for (int i = 0; i < 4; ++i)
    out[i] = words.v[i];
}

namespace {

Kernel kernel() {
#if defined(__x86_64__)
  static const Kernel picked = pick_kernel();
  return picked;
#else
  return philox_scalar;
#endif
}

}  // namespace

void philox_prefix(const StreamFamily& family, std::span<const Uid> agents, unsigned blocks,
                   std::uint32_t* out) {
  const Kernel run = kernel();
  std::array<std::uint32_t, kLanes> lo{}, hi{}, first_block{};
  for (std::size_t first = 0; first < agents.size(); first += kLanes) {
    const auto lanes = static_cast<unsigned>(std::min<std::size_t>(kLanes, agents.size() - first));
    for (unsigned l = 0; l < kLanes; ++l) {  // a short batch repeats its last agent in spare lanes
      const Uid uid = agents[first + std::min(l, lanes - 1)];
      lo[l] = static_cast<std::uint32_t>(uid);
      hi[l] = static_cast<std::uint32_t>(uid >> 32);
    }
    run(family, lo.data(), hi.data(), first_block.data(), blocks, lanes, out + first * blocks * 4);
  }
}

void philox_blocks(const StreamFamily& family, Uid uid, std::uint32_t first, unsigned count,
                   std::uint32_t* out) {
  const Kernel run = kernel();
  std::array<std::uint32_t, kLanes> lo{}, hi{}, block{};
  lo.fill(static_cast<std::uint32_t>(uid));
  hi.fill(static_cast<std::uint32_t>(uid >> 32));
  for (unsigned done = 0; done < count; done += kLanes) {
    const unsigned lanes = std::min(kLanes, count - done);
    for (unsigned l = 0; l < kLanes; ++l)  // the block counter wraps as RandomStream's does
      block[l] = first + done + std::min(l, lanes - 1);
    run(family, lo.data(), hi.data(), block.data(), 1, lanes, out + std::size_t{done} * 4);
  }
}

}  // namespace random_layer
}  // namespace cohort::engine
