#include "cohort/space/continuous/neighbour_list.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

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

// Appends the rows listed in [j, end) that are within range of xi; `skip` is never kept (the row
// itself in a full list; ~0 otherwise). With `kRowRange`, [j, end) are the row numbers
// themselves (rows sorted by bin: a bin's rows are consecutive), which saves a load per
// candidate and reads positions in order.
template <int D, bool kMinImage, bool kRowRange>
std::uint32_t* scan_bin(const Box<D>& box, const Vec<D>* pos, const std::uint32_t* j,
                        const std::uint32_t* end, std::uint32_t skip, const Vec<D>& xi,
                        const StencilBin<D>& bin, double r2, std::uint32_t* out) {
  std::uint32_t row = kRowRange ? *j : 0;
  const std::uint32_t row_end = kRowRange ? row + static_cast<std::uint32_t>(end - j) : 0;
  for (; kRowRange ? row != row_end : j != end; ++j, ++row) {
    const std::uint32_t k = kRowRange ? row : *j;
    const Vec<D>& xj = pos[k];
    double d2 = 0;
    for (int a = 0; a < D; ++a) {
      const double d = kMinImage ? binned_separation(box, a, xi[a], xj[a], 0.0, bin.whole[a])
                                 : (xj[a] - xi[a]) + bin.shift[a];
      d2 += d * d;
    }
    *out = k;
    out += static_cast<std::size_t>((d2 <= r2) & (k != skip));
  }
  return out;
}

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
  neighbours_.clear();
  if (neighbours_.capacity() < expected * 1.05)
    neighbours_.reserve(static_cast<std::size_t>(expected * 1.05) + 1024);
  const Vec<D>* pos = positions.data();
  const std::span<const std::uint32_t> row_cells = cells.row_cells();
  const Box<D>& box = cells.box();
  std::vector<RowBuffer> buffers(std::min(chunks, kWaveChunks));
  // Rows grouped by bin (any bin order, e.g. Z-order): each bin's rows are consecutive.
  bool sorted = true;
  for (std::uint32_t c = 0; sorted && c < cells.cell_count(); ++c) {
    const std::span<const std::uint32_t> rows = cells.rows_in(c);
    sorted = rows.empty() || rows.back() - rows.front() + 1 == rows.size();
  }

  for (std::size_t wave = 0; wave < chunks; wave += kWaveChunks) {
    const std::size_t in_wave = std::min(kWaveChunks, chunks - wave);
    run(in_wave, [&](std::size_t k, std::size_t) {
      const std::size_t chunk = wave + k;
      const std::size_t begin = chunk * kChunkRows, end = std::min(n, begin + kChunkRows);
      RowBuffer& out = buffers[k];
      out.clear();
      std::vector<StencilBin<D>> stencil;
      std::uint32_t stencil_cell = ~0u;
      std::size_t candidates = 0;
      for (std::size_t r = begin; r < end; ++r) {
        const auto i = static_cast<std::uint32_t>(r);
        if (row_cells[r] != stencil_cell) {  // rows sorted by bin reuse their stencil
          stencil_cell = row_cells[r];
          stencil_of<D>(cells, stencil_cell, reach, kind, forward, stencil);
          candidates = 0;
          for (const StencilBin<D>& bin : stencil)
            candidates += cells.rows_in(bin.cell).size();
        }
        std::uint32_t* const first = out.room_for(candidates);
        std::uint32_t* last = first;
        const Vec<D> xi = pos[r];
        for (const StencilBin<D>& bin : stencil) {
          const std::span<const std::uint32_t> rows = cells.rows_in(bin.cell);
          const std::uint32_t* j = rows.data();
          const std::uint32_t* stop = rows.data() + rows.size();
          if (bin.keep == Keep::above) j = std::upper_bound(j, stop, i);  // rows ascend
          const std::uint32_t skip = bin.keep == Keep::others ? i : ~0u;
          if (j == stop) continue;
          if (bin.min_image)
            last = scan_bin<D, true, false>(box, pos, j, stop, skip, xi, bin, r2, last);
          else if (sorted)
            last = scan_bin<D, false, true>(box, pos, j, stop, skip, xi, bin, r2, last);
          else
            last = scan_bin<D, false, false>(box, pos, j, stop, skip, xi, bin, r2, last);
        }
        out.set_end(last);
        offsets_[r + 1] = static_cast<std::uint32_t>(last - first);  // a count for now
      }
    });
    for (std::size_t k = 0; k < in_wave; ++k) {
      const std::size_t begin = (wave + k) * kChunkRows, end = std::min(n, begin + kChunkRows);
      std::uint64_t total = neighbours_.size();
      for (std::size_t r = begin; r < end; ++r) {
        total += offsets_[r + 1];
        if (total > 0xffffffffu)
          throw std::length_error("neighbour list over 2^32 - 1 entries; use a smaller range");
        offsets_[r + 1] = static_cast<std::uint32_t>(total);
      }
      neighbours_.insert(neighbours_.end(), buffers[k].begin(),
                         buffers[k].begin() + buffers[k].size());
    }
  }
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
