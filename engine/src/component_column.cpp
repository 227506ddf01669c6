#include "cohort/engine/component_column.hpp"

#include <algorithm>
#include <new>

namespace cohort::engine {

namespace {
// Columns are at least cache-line aligned so a system's loop starts on a line and vectorises.
constexpr std::size_t kMinAlignment = 64;
}  // namespace

void ComponentColumn::AlignedFree::operator()(std::byte* p) const {
  ::operator delete (p, std::align_val_t{alignment});
}

ComponentColumn::ComponentColumn(std::string name, std::size_t value_bytes, std::size_t alignment,
                                 const std::type_info& type)
    : name_(std::move(name)),
      value_bytes_(value_bytes),
      alignment_(std::max(alignment, kMinAlignment)),
      type_(&type),
      data_(nullptr, AlignedFree{alignment_}) {}

void ComponentColumn::grow(std::size_t min_rows) {
  const std::size_t rows = std::max({min_rows, capacity_ * 2, std::size_t{16}});
  auto* fresh =
      static_cast<std::byte*>(::operator new (rows* value_bytes_, std::align_val_t{alignment_}));
  if (size_ > 0) std::memcpy(fresh, data_.get(), size_ * value_bytes_);
  data_ = std::unique_ptr<std::byte[], AlignedFree>(fresh, AlignedFree{alignment_});
  capacity_ = rows;
}

void ComponentColumn::resize(std::size_t rows) {
  reserve(rows);
  if (rows > size_)
    std::memset(data_.get() + size_ * value_bytes_, 0, (rows - size_) * value_bytes_);
  size_ = rows;
}

}  // namespace cohort::engine
