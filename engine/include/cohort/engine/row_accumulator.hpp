#pragma once
// Deterministic scatter-add from parallel blocks into one value per row: the accumulator for
// pair forces with Newton's third law (a pair adds to both its rows, which may lie in different
// blocks) and for per-agent statistics gathered from others.

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "cohort/engine/agent_index.hpp"

namespace cohort::engine {

/// Values per row summed from blocks of rows processed in parallel. A block adds directly to the
/// rows of its own range (no other block writes there) and records additions to other rows;
/// finish() adds those in block order. Every row's sum is therefore "its own block's additions in
/// program order, then the other blocks' in block order": the same on any number of threads,
/// without one array per thread. Blocks are [b * block_rows, (b + 1) * block_rows).
template <class T>
class RowAccumulator {
 public:
  /// Zeroes `rows` values and prepares `blocks` blocks of `block_rows` rows.
  void reset(std::size_t rows, Row block_rows, std::size_t blocks) {
    values_.assign(rows, T{});
    block_rows_ = block_rows;
    spills_.resize(blocks);
    for (auto& s : spills_)
      s.clear();
  }
  /// Adds `v` to `row` from block `block` (only the thread running that block calls this).
  void add(std::size_t block, Row row, const T& v) {
    if (row / block_rows_ == block)
      values_[row] += v;
    else
      spills_[block].emplace_back(row, v);
  }
  /// Adds the recorded cross-block additions in block order. Call once all blocks are done.
  void finish() {
    for (auto& spill : spills_) {
      for (const auto& [row, v] : spill)
        values_[row] += v;
      spill.clear();
    }
  }
  std::span<T> values() { return values_; }
  std::span<const T> values() const { return values_; }
  /// Additions that crossed blocks in the last round (their memory is reused between rounds).
  std::size_t spilled() const {
    std::size_t n = 0;
    for (const auto& s : spills_)
      n += s.size();
    return n;
  }

 private:
  std::vector<T> values_;
  Row block_rows_ = 1;
  std::vector<std::vector<std::pair<Row, T>>> spills_;
};

}  // namespace cohort::engine
