#pragma once
// Cell lists: the box cut into bins at least as wide as the longest query radius they serve,
// each bin listing its rows. Rebuilt from scratch by a counting sort (stable: rows keep their
// order inside a bin), in parallel over fixed row chunks, so the result never depends on the
// thread count. Queries are header templates: the callback inlines into the per-pair loop.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/space/continuous/box.hpp"
#include "cohort/space/continuous/task_runner.hpp"

namespace cohort::space {

/// How a position is mapped to its bin along an axis.
enum class Binning : std::uint8_t {
  floor,      ///< bin = floor(x / s): [k s, (k+1) s)
  agents_jl,  ///< bin = max(1, ceil(x / s)) - 1, as Agents.jl's compartments (see QueryMode)
};

/// The bins of a box and the rows in each. Positions on periodic axes must be wrapped
/// (Box::wrap); on bounded axes positions outside the box go to the edge bins.
template <int D>
class CellList {
 public:
  /// Bins per axis: floor(L / min_cell_size) (at least 1), so each bin is >= min_cell_size wide
  /// (Binning::floor); Binning::agents_jl uses round(L / s) bins of exactly s = min_cell_size.
  /// Throws std::invalid_argument on a size that is not > 0 or a grid over 2^31 bins.
  CellList(const Box<D>& box, double min_cell_size, Binning binning = Binning::floor);

  const Box<D>& box() const { return box_; }
  Binning binning() const { return binning_; }
  /// Bins along `axis`, their width and the total number of bins.
  int bins(int axis) const { return counts_[axis]; }
  double bin_width(int axis) const { return width_[axis]; }
  std::uint32_t cell_count() const { return cells_; }

  /// Re-bins every row of `positions`. O(rows + bins), parallel over fixed chunks of rows.
  void rebuild(std::span<const Vec<D>> positions, const TaskRunner& run = {});
  /// Rows binned by the last rebuild.
  std::size_t rows() const { return row_cell_.size(); }
  /// Re-bins one row after its (wrapped) position changed to `p`, keeping every bin ascending,
  /// so the bins equal what a rebuild would make: for agents that move one at a time and must
  /// be found where they now are (sequential updates). O(1) when the row stays in its bin, else
  /// O(rows and bins between the two bins).
  void move(std::uint32_t row, const Vec<D>& p);

  /// The bin of a position (row-major, axis 0 fastest).
  std::uint32_t cell_of(const Vec<D>& p) const {
    std::uint32_t cell = 0;
    for (int a = D - 1; a >= 0; --a)
      cell = cell * counts_[a] + axis_bin(a, p[a]);
    return cell;
  }
  /// Per-axis coordinates of a bin.
  std::array<int, D> coords(std::uint32_t cell) const {
    std::array<int, D> c;
    for (int a = 0; a < D; ++a) {
      c[a] = static_cast<int>(cell % counts_[a]);
      cell /= counts_[a];
    }
    return c;
  }
  std::uint32_t cell_at(const std::array<int, D>& c) const {
    std::uint32_t cell = 0;
    for (int a = D - 1; a >= 0; --a)
      cell = cell * counts_[a] + static_cast<std::uint32_t>(c[a]);
    return cell;
  }
  /// Rows in a bin, ascending.
  std::span<const std::uint32_t> rows_in(std::uint32_t cell) const {
    return {cell_rows_.data() + cell_start_[cell], cell_start_[cell + 1] - cell_start_[cell]};
  }
  /// The bin of each row at the last rebuild (keys for Population::sort_by).
  std::span<const std::uint32_t> row_cells() const { return row_cell_; }

  /// Calls fn(row, d2) for every row within Euclidean (minimum-image) distance `radius` of `p`,
  /// d2 <= radius^2, d2 computed exactly as Box::distance2. Any radius; cost grows with
  /// (radius / bin width)^D. `positions` must be the ones binned (by the last rebuild and any
  /// move since). fn may be called after further candidates were examined (in batches), so it
  /// must not change the positions or the bins.
  template <class Fn>
  void for_each_within(std::span<const Vec<D>> positions, const Vec<D>& p, double radius,
                       Fn&& fn) const;

  /// Calls fn(cell, shift, exact_axes) for each distinct bin whose points may lie within
  /// `reach[a]` bins of bin `c` along each axis: `shift` is the periodic image offset to add to
  /// (x_j - x_i), and `min_image` marks axes where the stencil covers the whole periodic axis so
  /// the separation needs the minimum image instead of a shift.
  template <class Fn>
  void for_each_cell_around(const std::array<int, D>& c, const std::array<int, D>& reach,
                            Fn&& fn) const;

  /// As for_each_cell_around, but bins consecutive along axis 0 with one shift come as one run
  /// fn(first_cell, last_cell, shift, min_image): their rows are one slice of the bin-ordered
  /// rows (rows_in_run), so a query walks 3^(D-1) slices instead of 3^D bins.
  template <class Fn>
  void for_each_run_around(const std::array<int, D>& c, const std::array<int, D>& reach,
                           Fn&& fn) const;
  /// Offsets of each bin's rows in bin_rows() (cell_count() + 1 entries): bin c holds the slots
  /// [bin_starts()[c], bin_starts()[c + 1]).
  std::span<const std::uint32_t> bin_starts() const { return cell_start_; }
  /// Every row, grouped by bin in bin order, ascending inside a bin.
  std::span<const std::uint32_t> bin_rows() const { return cell_rows_; }
  /// Rows of the bins first..last (inclusive, consecutive indices), ascending bin by bin.
  std::span<const std::uint32_t> rows_in_run(std::uint32_t first, std::uint32_t last) const {
    return {cell_rows_.data() + cell_start_[first], cell_start_[last + 1] - cell_start_[first]};
  }

  /// Bytes held (capacity) by the bins and row arrays.
  std::size_t bytes() const {
    return (cell_start_.capacity() + cell_rows_.capacity() + row_cell_.capacity() +
            chunk_counts_.capacity()) *
           sizeof(std::uint32_t);
  }
  /// Frees everything (bytes() drops to 0) until the next rebuild.
  void release();
  /// Writes the bins and rows, so a resumed run continues from the same (possibly stale) bins.
  void save(engine::CheckpointWriter& out) const;
  /// Reads what save() wrote; throws engine::CheckpointError if it does not fit this grid.
  void load(engine::CheckpointReader& in);

 private:
  std::uint32_t axis_bin(int a, double x) const {
    const double top = static_cast<double>(counts_[a] - 1);
    // Rounding, a point exactly on the upper face, or a bounded axis' outsiders: edge bins. A bin
    // is at least as wide as the radius it serves, so the clamped point's neighbours stay within
    // the stencil.
    if (binning_ == Binning::floor) {
      // floor then clamp, done as clamp then truncate (equal on [0, top], and no libm call on
      // x86-64's baseline, which has no rounding instruction): this sits in every query.
      return static_cast<std::uint32_t>(clamp_bin(x * inverse_[a], top));
    }
    const double b = std::ceil(x / width_[a]) - 1;  // a division, as Agents.jl computes it
    return static_cast<std::uint32_t>(clamp_bin(b, top));
  }
  // std::clamp(b, 0, top) for finite b, and the top bin for a NaN (a corrupt position, say from a
  // forged checkpoint), whose conversion to an integer would be undefined: the comparisons are
  // ordered so that NaN loses them. Costs nothing over std::clamp.
  static double clamp_bin(double b, double top) { return std::max(std::min(top, b), 0.0); }

  // Per axis from `from` on: the first and last offset around bin c, and whether the stencil
  // covers the whole periodic axis (then each bin is visited once, unshifted, and separations
  // take the minimum image).
  void stencil_bounds(const std::array<int, D>& c, const std::array<int, D>& reach, int from,
                      std::array<int, D>& lo, std::array<int, D>& hi,
                      std::array<bool, D>& whole) const {
    for (int a = from; a < D; ++a) {
      const int n = counts_[a];
      if (box_.periodic(a)) {
        if (2 * reach[a] + 1 >= n) {
          whole[a] = true;
          lo[a] = -c[a];
          hi[a] = n - 1 - c[a];
        } else {
          lo[a] = -reach[a];
          hi[a] = reach[a];
        }
      } else {
        lo[a] = std::max(-reach[a], -c[a]);
        hi[a] = std::min(reach[a], n - 1 - c[a]);
      }
    }
  }

  Box<D> box_;
  Binning binning_;
  std::array<int, D> counts_{};
  Vec<D> width_{};
  Vec<D> inverse_{};
  std::uint32_t cells_ = 1;
  std::vector<std::uint32_t> cell_start_;    // cells + 1 offsets into cell_rows_
  std::vector<std::uint32_t> cell_rows_;     // rows grouped by bin, ascending within a bin
  std::vector<std::uint32_t> row_cell_;      // bin of each row
  std::vector<std::uint32_t> chunk_counts_;  // [chunk][cell] scratch of the parallel sort
};

template <int D>
template <class Fn>
void CellList<D>::for_each_cell_around(const std::array<int, D>& c, const std::array<int, D>& reach,
                                       Fn&& fn) const {
  std::array<int, D> lo{}, hi{};
  std::array<bool, D> whole{};
  stencil_bounds(c, reach, 0, lo, hi, whole);
  auto axis = [&](int a, int o, int& index, double& shift) {
    const int n = counts_[a];
    index = c[a] + o;
    shift = 0;
    if (index < 0) {
      index += n;
      shift = -box_.length(a);
    } else if (index >= n) {
      index -= n;
      shift = box_.length(a);
    }
  };
  Vec<D> shift;
  std::array<int, D> at;
  if constexpr (D == 2) {
    for (int oy = lo[1]; oy <= hi[1]; ++oy) {
      axis(1, oy, at[1], shift[1]);
      for (int ox = lo[0]; ox <= hi[0]; ++ox) {
        axis(0, ox, at[0], shift[0]);
        fn(cell_at(at), shift, whole);
      }
    }
  } else {
    for (int oz = lo[2]; oz <= hi[2]; ++oz) {
      axis(2, oz, at[2], shift[2]);
      for (int oy = lo[1]; oy <= hi[1]; ++oy) {
        axis(1, oy, at[1], shift[1]);
        for (int ox = lo[0]; ox <= hi[0]; ++ox) {
          axis(0, ox, at[0], shift[0]);
          fn(cell_at(at), shift, whole);
        }
      }
    }
  }
}

template <int D>
template <class Fn>
void CellList<D>::for_each_run_around(const std::array<int, D>& c, const std::array<int, D>& reach,
                                      Fn&& fn) const {
  // Axis 0 in runs: below the box (wrapped, shift -L), inside, above (wrapped, shift +L); a
  // whole periodic axis is one unshifted run with minimum-image separations.
  struct Run {
    int first, last;
    double shift;
  };
  std::array<Run, 3> runs;
  int run_count = 0;
  bool whole0 = false;
  {
    const int n = counts_[0];
    const double l = box_.length(0);
    if (box_.periodic(0) && 2 * reach[0] + 1 >= n) {
      whole0 = true;
      runs[run_count++] = {0, n - 1, 0.0};
    } else {
      const int lo = box_.periodic(0) ? c[0] - reach[0] : std::max(0, c[0] - reach[0]);
      const int hi = box_.periodic(0) ? c[0] + reach[0] : std::min(n - 1, c[0] + reach[0]);
      if (lo < 0) runs[run_count++] = {lo + n, n - 1, -l};
      runs[run_count++] = {std::max(lo, 0), std::min(hi, n - 1), 0.0};
      if (hi >= n) runs[run_count++] = {0, hi - n, l};
    }
  }
  // The other axes bin by bin, in for_each_cell_around's order, written out here: this runs
  // once per query, and for small radii its overhead is a good part of the query.
  std::array<bool, D> whole{};
  std::array<int, D> lo{}, hi{};
  stencil_bounds(c, reach, 1, lo, hi, whole);
  whole[0] = whole0;
  Vec<D> shift{};
  // Bin index and image shift at offset o along axis a.
  auto at = [&](int a, int o) {
    const int n = counts_[a];
    int index = c[a] + o;
    shift[a] = 0;
    if (index < 0) {
      index += n;
      shift[a] = -box_.length(a);
    } else if (index >= n) {
      index -= n;
      shift[a] = box_.length(a);
    }
    return static_cast<std::uint32_t>(index);
  };
  auto row = [&](std::uint32_t base) {
    for (int k = 0; k < run_count; ++k) {
      shift[0] = runs[k].shift;
      fn(base + static_cast<std::uint32_t>(runs[k].first),
         base + static_cast<std::uint32_t>(runs[k].last), shift, whole);
    }
  };
  const auto n0 = static_cast<std::uint32_t>(counts_[0]);
  if constexpr (D == 2) {
    for (int oy = lo[1]; oy <= hi[1]; ++oy)
      row(at(1, oy) * n0);
  } else {
    const auto n1 = static_cast<std::uint32_t>(counts_[1]);
    for (int oz = lo[2]; oz <= hi[2]; ++oz) {
      const std::uint32_t z = at(2, oz);
      for (int oy = lo[1]; oy <= hi[1]; ++oy)
        row((z * n1 + at(1, oy)) * n0);
    }
  }
}

/// Two doubles in one SSE2 register (x86-64's baseline; GCC/Clang vector extension).
using DoubleLanes = double __attribute__((vector_size(16)));

/// Separation x_j - x_i along one axis for a bin visited with `shift` (or by minimum image),
/// rounded exactly as Box::separation rounds it.
template <int D>
inline double binned_separation(const Box<D>& box, int axis, double xi, double xj, double shift,
                                bool min_image) {
  return min_image ? box.separation(axis, xi, xj) : (xj - xi) + shift;
}

template <int D>
template <class Fn>
void CellList<D>::for_each_within(std::span<const Vec<D>> positions, const Vec<D>& p, double radius,
                                  Fn&& fn) const {
  const double r2 = radius * radius;
  std::array<int, D> reach, c;
  for (int a = 0; a < D; ++a) {
    // ceil(radius / width) without a libm call (the bins a radius of any size needs).
    const double bins = radius * inverse_[a];
    reach[a] = static_cast<int>(std::min(bins, static_cast<double>(counts_[a])));
    reach[a] += reach[a] < bins;
    c[a] = static_cast<int>(axis_bin(a, p[a]));
  }
  // Candidates are examined branch-free into a small batch of those in range, and fn is called
  // on the batch: whether a candidate is in range is a coin toss for the branch predictor
  // (about a third are, for a radius of one bin width), while the batch loop's trip count is
  // not. fn sees the same rows, d2 and order as a call per candidate would give.
  constexpr int kBatch = 64;
  std::uint32_t kept[kBatch];
  double kept_d2[kBatch];
  int count = 0;
  const Vec<D>* pos = positions.data();
  // One loop per run; the separations need the minimum image only when a stencil covers a
  // whole periodic axis (a box a few bins wide), so the common loop has no per-axis test.
  const DoubleLanes pxy = {p[0], p[1]};
  DoubleLanes sxy{};  // the run's shift on axes 0 and 1 (set per run, from the scalars)
  auto scan = [&](auto min_image, std::span<const std::uint32_t> rows, const Vec<D>& shift,
                  const std::array<bool, D>& whole) {
    for (const std::uint32_t j : rows) {
      if (count == kBatch) {
        for (int k = 0; k < kBatch; ++k)
          fn(kept[k], kept_d2[k]);
        count = 0;
      }
      const Vec<D>& q = pos[j];
      double d2 = 0;
      if constexpr (decltype(min_image)::value) {
        for (int a = 0; a < D; ++a) {
          const double d = binned_separation(box_, a, p[a], q[a], shift[a], whole[a]);
          d2 += d * d;
        }
      } else {
        // Axes 0 and 1 in the two lanes of one SSE2 register; each lane rounds as the scalar
        // (q - p) + shift, and d2 sums the squares in axis order as Box::distance2 does.
        DoubleLanes qxy;
        std::memcpy(&qxy, q.data(), sizeof qxy);
        const DoubleLanes h = (qxy - pxy) + sxy;
        const DoubleLanes h2 = h * h;
        d2 = h2[0] + h2[1];
        if constexpr (D == 3) {
          const double dz = (q[2] - p[2]) + shift[2];
          d2 += dz * dz;
        }
      }
      kept[count] = j;
      kept_d2[count] = d2;
      count += d2 <= r2;
    }
  };
  // A stencil inside the box (no wrap, no whole axis) is 3^(D-1) unshifted slices, walked
  // directly: the same slices, in the same order and with the same (zero) shifts as
  // for_each_run_around gives, without its per-query setup, a good part of a small query.
  bool inside = true;
  for (int a = 0; a < D; ++a)
    inside = inside && c[a] >= reach[a] && c[a] + reach[a] < counts_[a] &&
             (!box_.periodic(a) || 2 * reach[a] + 1 < counts_[a]);
  if (inside) {
    const Vec<D> no_shift{};
    const std::array<bool, D> no_whole{};
    const auto n0 = static_cast<std::uint32_t>(counts_[0]);
    const auto x0 = static_cast<std::uint32_t>(c[0] - reach[0]),
               x1 = static_cast<std::uint32_t>(c[0] + reach[0]);
    auto slices = [&](std::uint32_t plane) {  // plane: the bin index of (0, y, z)
      scan(std::false_type{}, rows_in_run(plane + x0, plane + x1), no_shift, no_whole);
    };
    if constexpr (D == 2) {
      for (int y = c[1] - reach[1]; y <= c[1] + reach[1]; ++y)
        slices(static_cast<std::uint32_t>(y) * n0);
    } else {
      const auto n1 = static_cast<std::uint32_t>(counts_[1]);
      for (int z = c[2] - reach[2]; z <= c[2] + reach[2]; ++z)
        for (int y = c[1] - reach[1]; y <= c[1] + reach[1]; ++y)
          slices((static_cast<std::uint32_t>(z) * n1 + static_cast<std::uint32_t>(y)) * n0);
    }
  } else {
    for_each_run_around(c, reach,
                        [&](std::uint32_t first, std::uint32_t last, const Vec<D>& shift,
                            const std::array<bool, D>& whole) {
                          const std::span<const std::uint32_t> rows = rows_in_run(first, last);
                          sxy = DoubleLanes{shift[0], shift[1]};
                          if (std::find(whole.begin(), whole.end(), true) == whole.end())
                            scan(std::false_type{}, rows, shift, whole);
                          else
                            scan(std::true_type{}, rows, shift, whole);
                        });
  }
  for (int k = 0; k < count; ++k)
    fn(kept[k], kept_d2[k]);
}

extern template class CellList<2>;
extern template class CellList<3>;

}  // namespace cohort::space
