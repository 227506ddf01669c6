#include "cohort/space/continuous/cell_list.hpp"

#include <string>

namespace cohort::space {

namespace {

// The parallel counting sort splits the rows into at most kMaxChunks chunks of at least
// kMinChunkRows: a function of the row count only, so the result is the same on any thread
// count. Few chunks, because each needs a counter per bin (freed after the sort).
constexpr std::size_t kMinChunkRows = 1u << 16;
constexpr std::size_t kMaxChunks = 4;

}  // namespace

template <int D>
CellList<D>::CellList(const Box<D>& box, double min_cell_size, Binning binning)
    : box_(box), binning_(binning) {
  if (!(min_cell_size > 0) || !std::isfinite(min_cell_size))
    throw std::invalid_argument("cell size must be finite and > 0, got " +
                                std::to_string(min_cell_size));
  double cells = 1;
  for (int a = 0; a < D; ++a) {
    const double l = box.length(a);
    double n;
    if (binning == Binning::floor) {
      // A hair of slack, so that a radius equal to the requested size never needs a second ring
      // of bins because of rounding in x / width.
      n = std::max(1.0, std::floor(l / (min_cell_size * (1 + 1e-9))));
    } else {
      n = std::max(1.0, std::round(l / min_cell_size));
    }
    cells *= n;
    if (cells > 2147483647.0)
      throw std::invalid_argument("cell size " + std::to_string(min_cell_size) +
                                  " gives more than 2^31 bins for this box; use larger cells");
    counts_[a] = static_cast<int>(n);
    width_[a] = binning == Binning::floor ? l / n : min_cell_size;
    inverse_[a] = 1.0 / width_[a];
  }
  cells_ = static_cast<std::uint32_t>(cells);
}

template <int D>
void CellList<D>::rebuild(std::span<const Vec<D>> positions, const TaskRunner& run) {
  const std::size_t n = positions.size();
  if (n > 0xffffffffu) throw std::length_error("a cell list holds at most 2^32 - 1 rows");
  const std::size_t chunks = std::clamp<std::size_t>(n / kMinChunkRows, 1, kMaxChunks);
  const std::size_t chunk_rows = (n + chunks - 1) / chunks;
  row_cell_.resize(n);
  cell_rows_.resize(n);
  cell_start_.assign(std::size_t{cells_} + 1, 0);
  chunk_counts_.assign(chunks * cells_, 0);
  // 1. Each chunk bins its rows and counts them per bin.
  run(chunks, [&](std::size_t chunk, std::size_t) {
    const std::size_t begin = std::min(n, chunk * chunk_rows),
                      end = std::min(n, begin + chunk_rows);
    std::uint32_t* counts = chunk_counts_.data() + chunk * cells_;
    for (std::size_t r = begin; r < end; ++r) {
      const std::uint32_t c = cell_of(positions[r]);
      row_cell_[r] = c;
      ++counts[c];
    }
  });
  // 2. Exclusive prefix over (bin, chunk): chunk k's rows of bin c follow chunks < k's, so the
  //    scatter is stable.
  std::uint32_t running = 0;
  for (std::uint32_t c = 0; c < cells_; ++c) {
    cell_start_[c] = running;
    for (std::size_t k = 0; k < chunks; ++k) {
      std::uint32_t& slot = chunk_counts_[k * cells_ + c];
      const std::uint32_t count = slot;
      slot = running;
      running += count;
    }
  }
  cell_start_[cells_] = running;
  // 3. Each chunk scatters its rows to their places.
  run(chunks, [&](std::size_t chunk, std::size_t) {
    const std::size_t begin = std::min(n, chunk * chunk_rows),
                      end = std::min(n, begin + chunk_rows);
    std::uint32_t* next = chunk_counts_.data() + chunk * cells_;
    for (std::size_t r = begin; r < end; ++r)
      cell_rows_[next[row_cell_[r]]++] = static_cast<std::uint32_t>(r);
  });
  chunk_counts_ = std::vector<std::uint32_t>();  // scratch: not kept (nor charged) between rebuilds
}

template <int D>
void CellList<D>::move(std::uint32_t row, const Vec<D>& p) {
  const std::uint32_t from = row_cell_[row], to = cell_of(p);
  if (from == to) return;
  row_cell_[row] = to;
  std::uint32_t* rows = cell_rows_.data();
  const std::uint32_t* start = cell_start_.data();
  // Bins are one ascending array of slices: take the row out of its slice, shift everything
  // between the two slices by one place and put the row in order into its new slice.
  const auto at = static_cast<std::size_t>(
      std::lower_bound(rows + start[from], rows + start[from + 1], row) - rows);
  if (from < to) {
    const auto in = static_cast<std::size_t>(
        std::upper_bound(rows + start[to], rows + start[to + 1], row) - rows);
    std::copy(rows + at + 1, rows + in, rows + at);
    rows[in - 1] = row;
    for (std::uint32_t c = from + 1; c <= to; ++c)
      --cell_start_[c];
  } else {
    const auto in = static_cast<std::size_t>(
        std::lower_bound(rows + start[to], rows + start[to + 1], row) - rows);
    std::copy_backward(rows + in, rows + at, rows + at + 1);
    rows[in] = row;
    for (std::uint32_t c = to + 1; c <= from; ++c)
      ++cell_start_[c];
  }
}

template <int D>
void CellList<D>::release() {
  cell_start_ = std::vector<std::uint32_t>();
  cell_rows_ = std::vector<std::uint32_t>();
  row_cell_ = std::vector<std::uint32_t>();
  chunk_counts_ = std::vector<std::uint32_t>();
}

template <int D>
void CellList<D>::save(engine::CheckpointWriter& out) const {
  out.put_vector(cell_start_);
  out.put_vector(cell_rows_);
  out.put_vector(row_cell_);
}

template <int D>
void CellList<D>::load(engine::CheckpointReader& in) {
  cell_start_ = in.get_vector<std::uint32_t>("cell starts");
  cell_rows_ = in.get_vector<std::uint32_t>("cell rows");
  row_cell_ = in.get_vector<std::uint32_t>("row cells");
  const bool empty = cell_start_.empty() && cell_rows_.empty() && row_cell_.empty();
  if (!empty && (cell_start_.size() != std::size_t{cells_} + 1 ||
                 cell_rows_.size() != row_cell_.size() || cell_start_.back() != cell_rows_.size()))
    throw engine::CheckpointError("checkpoint is corrupt: cell list does not fit its grid");
}

template class CellList<2>;
template class CellList<3>;

}  // namespace cohort::space
