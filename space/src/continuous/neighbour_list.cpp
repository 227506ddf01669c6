#include "cohort/space/continuous/neighbour_list.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <memory>
#include <numbers>
#include <string>

#include "range_scan.hpp"

namespace cohort::space {

namespace {

// Rows per build chunk: fixed, so a list never depends on the thread count; small enough that
// the chunks spread well over threads, large enough that per-chunk buffers are few.
constexpr std::size_t kChunkRows = 4096;

// Which neighbours of a stencil bin a row keeps.
enum class Keep : std::uint8_t { all, above, others };  // all j, j > i, j != i

template <int D>
struct StencilBin {
  std::uint32_t cell;
  Keep keep;
  bool min_image;  // some axis covers the whole periodic box: separations by minimum image
  Vec<D> shift;
  std::array<bool, D> whole;
};

// The bins a row of bin `c` searches. A half list on a box with >= 3 bins per periodic axis and
// one ring of bins uses the forward half stencil (own bin j > i, then the 13 (3-D) or 4 (2-D)
// bins lexicographically after it, all j); otherwise every distinct bin around, j > i (half) or
// j != i (full).
template <int D>
void stencil_of(const CellList<D>& cells, std::uint32_t cell, const std::array<int, D>& reach,
                ListKind kind, bool forward, std::vector<StencilBin<D>>& out) {
  out.clear();
  const std::array<int, D> c = cells.coords(cell);
  cells.for_each_cell_around(
      c, reach, [&](std::uint32_t at, const Vec<D>& shift, const std::array<bool, D>& whole) {
        StencilBin<D> bin{at, Keep::all, false, shift, whole};
        for (int a = 0; a < D; ++a)
          bin.min_image |= whole[a];
        if (!forward) {
          bin.keep = kind == ListKind::half ? Keep::above : Keep::others;
          out.push_back(bin);
          return;
        }
        if (at == cell) {
          bin.keep = Keep::above;
          out.push_back(bin);
          return;
        }
        // Forward: the offset's last non-zero axis (highest axis first) is positive.
        const std::array<int, D> to = cells.coords(at);
        for (int a = D - 1; a >= 0; --a) {
          int o = to[a] - c[a];
          if (o > 1) o -= cells.bins(a);
          if (o < -1) o += cells.bins(a);
          if (o != 0) {
            if (o > 0) out.push_back(bin);
            return;
          }
        }
      });
}

// A growable array of rows that the scan writes through a raw pointer: each candidate is
// stored unconditionally and kept by advancing the pointer when it is in range (no branch to
// mispredict), so room for every candidate of a row is made before the row is scanned.
class RowBuffer {
 public:
  std::uint32_t* room_for(std::size_t more) {
    if (size_ + more > capacity_) {
      const std::size_t capacity = std::max(size_ + more, 2 * capacity_);
      std::unique_ptr<std::uint32_t[]> grown(new std::uint32_t[capacity]);  // uninitialised
      std::copy(data_.get(), data_.get() + size_, grown.get());
      data_ = std::move(grown);
      capacity_ = capacity;
    }
    return data_.get() + size_;
  }
  void set_end(const std::uint32_t* end) { size_ = static_cast<std::size_t>(end - data_.get()); }
  void clear() { size_ = 0; }
  const std::uint32_t* begin() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  std::unique_ptr<std::uint32_t[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

// A stretch of stencil bins with consecutive indices, one shift and one keep rule: their rows
// are one slice of the bin-ordered copy of the positions, scanned as one contiguous loop. The
// bins come in the stencil's order, so the list's order is the bin-by-bin order.
template <int D>
struct StencilRun {
  std::uint32_t first, last;  // bins, inclusive
  Keep keep;                  // above: j > i in the first bin (the row's own), all after it
  bool min_image;
  Vec<D> shift;
  std::array<bool, D> whole;
};

template <int D>
void runs_of(const std::vector<StencilBin<D>>& bins, std::vector<StencilRun<D>>& out) {
  out.clear();
  for (const StencilBin<D>& b : bins) {
    if (!out.empty()) {
      StencilRun<D>& r = out.back();
      const bool joins = b.keep == Keep::others ? r.keep == Keep::others
                                                : b.keep == Keep::all && r.keep != Keep::others;
      if (joins && r.last + 1 == b.cell && r.shift == b.shift && r.whole == b.whole) {
        r.last = b.cell;
        continue;
      }
    }
    out.push_back({b.cell, b.cell, b.keep, b.min_image, b.shift, b.whole});
  }
}

// Two candidates per instruction (SSE2 lanes), each lane rounded exactly as the scalar
// (xj - xi) + shift, d2 = dx^2 + dy^2 (+ dz^2) in axis order.
using Lanes = DoubleLanes;

// Which lanes hold d2 <= r2, as two bits (one movmskpd on x86-64).
inline unsigned in_range(Lanes d2, Lanes r2) {
#ifdef __SSE2__
  return static_cast<unsigned>(_mm_movemask_pd(_mm_cmple_pd(d2, r2)));
#else
  using LaneMask = long long __attribute__((vector_size(16)));
  const LaneMask in = d2 <= r2;  // -1 or 0 per lane
  return static_cast<unsigned>((in[0] & 1) | ((in[1] & 1) << 1));
#endif
}

// Appends the rows of slots [k, end) of the bin-ordered copy (`soa`: axis a at soa + a * stride)
// that are within range of xi; `skip` is never kept (the row itself in a full list; ~0
// otherwise). Each candidate is stored unconditionally and kept by advancing `out` when in range
// (no branch to mispredict); the caller made room for every candidate. kSkip: test `skip`.
// With `simd` (avx512_range_scan_usable()), eight candidates at a time first.
template <int D, bool kMinImage, bool kSkip>
std::uint32_t* scan_run(const Box<D>& box, const double* soa, std::size_t stride,
                        const std::uint32_t* rows, std::size_t k, std::size_t end,
                        std::uint32_t skip, const Vec<D>& xi, const StencilRun<D>& run, double r2,
                        std::uint32_t* out, bool simd) {
  if constexpr (!kMinImage) {
    if (simd)
      out = avx512_scan_slice<D, kSkip>(soa, stride, rows, k, end, skip, xi, run.shift, r2, out);
    Lanes at[D], shift[D];
    for (int a = 0; a < D; ++a) {
      at[a] = Lanes{xi[a], xi[a]};
      shift[a] = Lanes{run.shift[a], run.shift[a]};
    }
    const Lanes range2 = {r2, r2};
    for (; k + 2 <= end; k += 2) {
      Lanes d2;
      for (int a = 0; a < D; ++a) {
        Lanes xj;
        std::memcpy(&xj, soa + a * stride + k, sizeof xj);
        const Lanes d = (xj - at[a]) + shift[a];
        d2 = a == 0 ? d * d : d2 + d * d;
      }
      const unsigned in = in_range(d2, range2);  // bit 0: lane 0, bit 1: lane 1
      const std::uint32_t j0 = rows[k], j1 = rows[k + 1];
      *out = j0;
      out += (in & 1) & (!kSkip || j0 != skip);
      *out = j1;
      out += (in >> 1) & (!kSkip || j1 != skip);
    }
  }
  for (; k < end; ++k) {
    const std::uint32_t j = rows[k];
    double d2 = 0;
    for (int a = 0; a < D; ++a) {
      const double xj = soa[a * stride + k];
      const double d = kMinImage ? binned_separation(box, a, xi[a], xj, 0.0, run.whole[a])
                                 : (xj - xi[a]) + run.shift[a];
      d2 += d * d;
    }
    *out = j;
    out += static_cast<std::size_t>((d2 <= r2) & (!kSkip || j != skip));
  }
  return out;
}

// Slots per task of the bin-ordered copy (a fixed split: the copy is the same on any count).
constexpr std::size_t kCopySlots = 1u << 16;

// Chunks built per wave: each wave builds kWaveChunks chunks in parallel into their own
// buffers, then appends them in chunk order. Fixed, so neither the list nor the scratch bytes
// depend on the thread count; the scratch is kWaveChunks buffers, not a second list.
constexpr std::size_t kWaveChunks = 8;

}  // namespace

template <int D>
void NeighbourList<D>::build(const CellList<D>& cells, std::span<const Vec<D>> positions,
                             double range, ListKind kind, const TaskRunner& run) {
  const std::size_t n = positions.size();
  if (cells.rows() != n)
    throw std::invalid_argument("neighbour list: the cell list holds " +
                                std::to_string(cells.rows()) + " rows, the positions " +
                                std::to_string(n) + "; rebuild the cells first");
  std::array<int, D> reach;
  bool forward = kind == ListKind::half;
  for (int a = 0; a < D; ++a) {
    if (cells.bin_width(a) < range)
      throw std::invalid_argument("neighbour list range " + std::to_string(range) +
                                  " exceeds the bin width " + std::to_string(cells.bin_width(a)) +
                                  " of axis " + std::to_string(a));
    reach[a] = 1;
    if (cells.box().periodic(a) && cells.bins(a) < 3) forward = false;
  }
  kind_ = kind;
  range_ = range;
  const double r2 = range * range;
  const std::size_t chunks = (n + kChunkRows - 1) / kChunkRows;
  offsets_.resize(n + 1);
  offsets_[0] = 0;
  // Expected entries at uniform density: reserve them once, so appending rarely reallocates.
  const double ball = D == 3 ? 4.0 / 3.0 * std::numbers::pi * range * r2 : std::numbers::pi * r2;
  const double expected = static_cast<double>(n) * static_cast<double>(n) / cells.box().volume() *
                          ball * (kind == ListKind::half ? 0.5 : 1.0);
  // Each wave's chunks are copied into place in parallel, so the list is sized up front (and
  // trimmed at the end): from the second build on, only growth past the last size is zeroed.
  const auto want = static_cast<std::size_t>(expected * 1.05) + 1024;
  if (neighbours_.size() < want) neighbours_.resize(want);
  std::size_t filled = 0;
  const Vec<D>* pos = positions.data();
  const std::span<const std::uint32_t> row_cells = cells.row_cells();
  const Box<D>& box = cells.box();
  std::vector<RowBuffer> buffers(std::min(chunks, kWaveChunks));
  // The positions copied in bin order, one array per axis: a run of stencil bins is then one
  // contiguous slice whatever the rows' order (e.g. Z-order), scanned two candidates at a time.
  // Scratch of this build only (scratch_bytes(n), charged by the space while it builds).
  const std::span<const std::uint32_t> slot_rows = cells.bin_rows();
  const std::span<const std::uint32_t> starts = cells.bin_starts();
  const std::unique_ptr<double[]> soa(new double[std::max<std::size_t>(1, D * n)]);
  const bool simd = avx512_range_scan_usable();
  run((n + kCopySlots - 1) / kCopySlots, [&](std::size_t task, std::size_t) {
    for (std::size_t k = task * kCopySlots, end = std::min(n, k + kCopySlots); k < end; ++k)
      for (int a = 0; a < D; ++a)
        soa[a * n + k] = pos[slot_rows[k]][a];
  });

  for (std::size_t wave = 0; wave < chunks; wave += kWaveChunks) {
    const std::size_t in_wave = std::min(kWaveChunks, chunks - wave);
    run(in_wave, [&](std::size_t k, std::size_t) {
      const std::size_t chunk = wave + k;
      const std::size_t begin = chunk * kChunkRows, end = std::min(n, begin + kChunkRows);
      RowBuffer& out = buffers[k];
      out.clear();
      std::vector<StencilBin<D>> stencil;
      std::vector<StencilRun<D>> runs;
      std::uint32_t stencil_cell = ~0u;
      std::size_t candidates = 0;
      for (std::size_t r = begin; r < end; ++r) {
        const auto i = static_cast<std::uint32_t>(r);
        if (row_cells[r] != stencil_cell) {  // rows sorted by bin reuse their stencil
          stencil_cell = row_cells[r];
          stencil_of<D>(cells, stencil_cell, reach, kind, forward, stencil);
          runs_of<D>(stencil, runs);
          candidates = 0;
          for (const StencilRun<D>& s : runs)
            candidates += starts[s.last + 1] - starts[s.first];
        }
        std::uint32_t* const first = out.room_for(candidates);
        std::uint32_t* last = first;
        const Vec<D> xi = pos[r];
        for (const StencilRun<D>& s : runs) {
          std::size_t k0 = starts[s.first];
          const std::size_t k1 = starts[s.last + 1];
          if (s.keep == Keep::above) {  // rows ascend inside a bin
            const std::uint32_t* bin = slot_rows.data();
            k0 = static_cast<std::size_t>(std::upper_bound(bin + k0, bin + starts[s.first + 1], i) -
                                          bin);
          }
          const std::uint32_t skip = s.keep == Keep::others ? i : ~0u;
          if (s.min_image)
            last = scan_run<D, true, true>(box, soa.get(), n, slot_rows.data(), k0, k1, skip, xi, s,
                                           r2, last, simd);
          else if (skip != ~0u)
            last = scan_run<D, false, true>(box, soa.get(), n, slot_rows.data(), k0, k1, skip, xi,
                                            s, r2, last, simd);
          else
            last = scan_run<D, false, false>(box, soa.get(), n, slot_rows.data(), k0, k1, skip, xi,
                                             s, r2, last, simd);
        }
        out.set_end(last);
        offsets_[r + 1] = static_cast<std::uint32_t>(last - first);  // a count for now
      }
    });
    std::array<std::size_t, kWaveChunks> at{};
    for (std::size_t k = 0; k < in_wave; ++k) {
      const std::size_t begin = (wave + k) * kChunkRows, end = std::min(n, begin + kChunkRows);
      at[k] = filled;
      std::uint64_t total = filled;
      for (std::size_t r = begin; r < end; ++r) {
        total += offsets_[r + 1];
        if (total > 0xffffffffu)
          throw std::length_error("neighbour list over 2^32 - 1 entries; use a smaller range");
        offsets_[r + 1] = static_cast<std::uint32_t>(total);
      }
      filled = static_cast<std::size_t>(total);
    }
    if (filled > neighbours_.size()) neighbours_.resize(filled + filled / 8);
    run(in_wave, [&](std::size_t k, std::size_t) {
      std::copy(buffers[k].begin(), buffers[k].begin() + buffers[k].size(),
                neighbours_.data() + at[k]);
    });
  }
  neighbours_.resize(filled);
  // Charged by capacity: give back a reservation far above what this build needed.
  if (neighbours_.capacity() > neighbours_.size() + neighbours_.size() / 8 + 1024)
    neighbours_.shrink_to_fit();
}

template <int D>
void NeighbourList<D>::release() {
  offsets_ = std::vector<std::uint32_t>();
  neighbours_ = std::vector<std::uint32_t>();
}

template <int D>
void NeighbourList<D>::save(engine::CheckpointWriter& out) const {
  out.put(kind_);
  out.put(range_);
  out.put_vector(offsets_);
  out.put_vector(neighbours_);
}

template <int D>
void NeighbourList<D>::load(engine::CheckpointReader& in) {
  kind_ = in.get<ListKind>("list kind");
  range_ = in.get<double>("list range");
  offsets_ = in.get_vector<std::uint32_t>("list offsets");
  neighbours_ = in.get_vector<std::uint32_t>("list neighbours");
  const std::size_t rows = this->rows();
  bool ok = offsets_.empty() ? neighbours_.empty() : offsets_.back() == neighbours_.size();
  for (std::size_t r = 0; ok && r < rows; ++r)
    ok = offsets_[r] <= offsets_[r + 1];
  for (std::size_t k = 0; ok && k < neighbours_.size(); ++k)
    ok = neighbours_[k] < rows;
  if (!ok) throw engine::CheckpointError("checkpoint is corrupt: neighbour list is inconsistent");
}

template class NeighbourList<2>;
template class NeighbourList<3>;

}  // namespace cohort::space
