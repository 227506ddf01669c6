#pragma once
// One component of one population, stored contiguously (structure of arrays).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/column_fields.hpp"

namespace cohort::engine {

/// Handle to a component column of type T; cheap to copy, checked against the column's type.
template <class T>
struct Component {
  std::uint32_t column = 0xffffffffu;
};

/// What a column holds, which decides how checkpoints treat it.
enum class ColumnKind : std::uint8_t {
  value,   ///< plain values, written to checkpoints as they are
  handle,  ///< references to pooled data (addresses): never written; zero on restore, and the
           ///< model's load() rebuilds the data from the content it saved
};

/// A type-erased contiguous array of trivially copyable values, one per agent row. Rows are
/// appended zero-filled, removed by moving the last row into the hole, and reordered by
/// permutation, always in step with the population's AgentIndex.
class ComponentColumn {
 public:
  ComponentColumn(std::string name, std::size_t value_bytes, std::size_t alignment,
                  const std::type_info& type, ColumnKind kind = ColumnKind::value);
  ComponentColumn(ComponentColumn&&) noexcept = default;
  ComponentColumn& operator=(ComponentColumn&&) noexcept = default;

  const std::string& name() const { return name_; }
  std::size_t value_bytes() const { return value_bytes_; }
  const std::type_info& type() const { return *type_; }
  ColumnKind kind() const { return kind_; }
  /// The numbers in a value, for outputs: one field for an arithmetic column, what the model
  /// described for a struct column, none otherwise (such a column is not written).
  const std::vector<ColumnField>& fields() const { return fields_; }
  void set_fields(std::vector<ColumnField> fields) { fields_ = std::move(fields); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t capacity_bytes() const { return capacity_ * value_bytes_; }

  template <class T>
  std::span<T> values() {
    return {reinterpret_cast<T*>(data_.get()), size_};
  }
  template <class T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data_.get()), size_};
  }
  std::byte* bytes() { return data_.get(); }
  const std::byte* bytes() const { return data_.get(); }

  /// Appends a zero-filled row; returns true if the storage grew (capacity changed).
  bool push_back() {
    const bool grows = size_ == capacity_;
    if (grows) grow(size_ + 1);
    std::byte* at = data_.get() + size_ * value_bytes_;
    if (value_bytes_ == 8)  // the common width as one store, not a call to memset
      std::memset(at, 0, 8);
    else
      std::memset(at, 0, value_bytes_);
    ++size_;
    return grows;
  }
  /// Moves the last row into `row` and drops the last row.
  void swap_remove(std::size_t row) {
    --size_;
    if (row == size_) return;
    std::byte* to = data_.get() + row * value_bytes_;
    const std::byte* from = data_.get() + size_ * value_bytes_;
    if (value_bytes_ == 8)  // one load and store, not a call to memcpy (every death)
      std::memcpy(to, from, 8);
    else
      std::memcpy(to, from, value_bytes_);
  }
  /// Reorders rows: new row i holds old row order[i] (a permutation of [0, size())). Gathers
  /// into `scratch` (room for size() values) and copies back, so the column stays put.
  void permute(std::span<const Row> order, std::byte* scratch);
  /// Permutes two columns of the same width (at most 4 bytes) in one pass over `order`, which
  /// halves the passes for narrow components; `scratch` holds size() values of both.
  static void permute_pair(ComponentColumn& a, ComponentColumn& b, std::span<const Row> order,
                           std::byte* scratch);
  /// Ensures room for `rows` rows; returns true if the storage grew.
  bool reserve(std::size_t rows) {
    if (rows <= capacity_) return false;
    grow(rows);
    return true;
  }
  /// Sets the row count to `rows`, zero-filling new rows (for checkpoint restore).
  void resize(std::size_t rows);

 private:
  struct AlignedFree {
    std::size_t alignment;
    void operator()(std::byte* p) const;
  };
  using Storage = std::unique_ptr<std::byte[], AlignedFree>;
  Storage allocate(std::size_t rows) const;
  void grow(std::size_t min_rows);

  std::string name_;
  std::size_t value_bytes_;
  std::size_t alignment_;
  const std::type_info* type_;
  ColumnKind kind_;
  std::vector<ColumnField> fields_;
  Storage data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace cohort::engine
