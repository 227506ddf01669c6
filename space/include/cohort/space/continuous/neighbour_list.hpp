#pragma once
// Verlet neighbour lists in CSR layout: offsets (rows + 1) into one array of 32-bit neighbour
// rows. Built from a cell list in parallel over fixed chunks of rows (each chunk into its own
// buffer, then copied into place in chunk order), so a list is identical on any thread count.

#include <cstdint>
#include <span>
#include <vector>

#include "cohort/space/continuous/cell_list.hpp"

namespace cohort::space {

/// Which pairs a list holds.
enum class ListKind : std::uint8_t {
  half,  ///< each pair once, in one of its two rows' lists (Newton's third law)
  full,  ///< each pair twice, once in each row's list
};

/// Neighbours of every row within `range` (cutoff + skin) at the time of the build.
template <int D>
class NeighbourList {
 public:
  /// Lists every pair with minimum-image d2 <= range^2. `cells` must have been rebuilt on
  /// `positions` with bins at least `range` wide (CellList(box, range)); throws
  /// std::invalid_argument otherwise, and std::length_error past 2^32 - 1 entries.
  void build(const CellList<D>& cells, std::span<const Vec<D>> positions, double range,
             ListKind kind, const TaskRunner& run = {});

  ListKind kind() const { return kind_; }
  double range() const { return range_; }
  /// Rows listed (0 before the first build or after release()).
  std::size_t rows() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  /// Entries over all rows (pairs for a half list, twice the pairs for a full one).
  std::size_t entries() const { return offsets_.empty() ? 0 : offsets_.back(); }
  std::span<const std::uint32_t> neighbours_of(std::uint32_t row) const {
    return {neighbours_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]};
  }
  std::span<const std::uint32_t> offsets() const { return offsets_; }
  std::span<const std::uint32_t> neighbours() const { return neighbours_; }

  /// Bytes held (capacity) by offsets and neighbours.
  std::size_t bytes() const {
    return (offsets_.capacity() + neighbours_.capacity()) * sizeof(std::uint32_t);
  }
  /// Bytes of scratch a build of `rows` rows holds while it runs (freed when it returns): the
  /// positions copied in bin order. Per-chunk row buffers (a few MB at most) come on top.
  static std::size_t scratch_bytes(std::size_t rows) { return rows * D * sizeof(double); }
  /// Frees the list (bytes() drops to 0) until the next build.
  void release();
  /// Writes the list, so a resumed run uses the very pairs the saved run had.
  void save(engine::CheckpointWriter& out) const;
  /// Reads what save() wrote; throws engine::CheckpointError if it is inconsistent.
  void load(engine::CheckpointReader& in);

 private:
  ListKind kind_ = ListKind::half;
  double range_ = 0;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> neighbours_;
};

extern template class NeighbourList<2>;
extern template class NeighbourList<3>;

}  // namespace cohort::space
