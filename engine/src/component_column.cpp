#include "cohort/engine/component_column.hpp"

#include <algorithm>
#include <new>

#include "cohort/memory/row_gather.hpp"

namespace cohort::engine {

namespace {
// Columns are at least cache-line aligned so a system's loop starts on a line and vectorises.
constexpr std::size_t kMinAlignment = 64;

// A gather with the value size known at compile time: one load and one store per row instead of
// a memcpy call (the permutation of a million rows is bound by these random loads).
template <std::size_t N>
void gather(std::byte* out, const std::byte* in, std::span<const Row> order) {
  struct Value {
    std::byte b[N];
  };
  memory::gather_rows(reinterpret_cast<Value*>(out), reinterpret_cast<const Value*>(in), order);
}
}  // namespace

void ComponentColumn::AlignedFree::operator()(std::byte* p) const {
  ::operator delete (p, std::align_val_t{alignment});
}

ComponentColumn::ComponentColumn(std::string name, std::size_t value_bytes, std::size_t alignment,
                                 const std::type_info& type, ColumnKind kind)
    : name_(std::move(name)),
      value_bytes_(value_bytes),
      alignment_(std::max(alignment, kMinAlignment)),
      type_(&type),
      kind_(kind),
      data_(nullptr, AlignedFree{alignment_}) {}

ComponentColumn::Storage ComponentColumn::allocate(std::size_t rows) const {
  auto* fresh =
      static_cast<std::byte*>(::operator new (rows* value_bytes_, std::align_val_t{alignment_}));
  return Storage(fresh, AlignedFree{alignment_});
}

void ComponentColumn::grow(std::size_t min_rows) {
  const std::size_t rows = std::max({min_rows, capacity_ * 2, std::size_t{16}});
  Storage fresh = allocate(rows);
  if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_ * value_bytes_);
  data_ = std::move(fresh);
  capacity_ = rows;
}

void ComponentColumn::permute(std::span<const Row> order, std::byte* scratch) {
  if (size_ == 0) return;
  const std::byte* in = data_.get();
  switch (value_bytes_) {
    case 1:
      gather<1>(scratch, in, order);
      break;
    case 2:
      gather<2>(scratch, in, order);
      break;
    case 4:
      gather<4>(scratch, in, order);
      break;
    case 8:
      gather<8>(scratch, in, order);
      break;
    case 12:
      gather<12>(scratch, in, order);
      break;
    case 16:
      gather<16>(scratch, in, order);
      break;
    case 24:
      gather<24>(scratch, in, order);
      break;
    case 32:
      gather<32>(scratch, in, order);
      break;
    default:
      for (std::size_t i = 0; i < order.size(); ++i)
        std::memcpy(scratch + i * value_bytes_, in + order[i] * value_bytes_, value_bytes_);
  }
  std::memcpy(data_.get(), scratch, order.size() * value_bytes_);
}

void ComponentColumn::resize(std::size_t rows) {
  reserve(rows);
  if (rows > size_)
    std::memset(data_.get() + size_ * value_bytes_, 0, (rows - size_) * value_bytes_);
  size_ = rows;
}

}  // namespace cohort::engine
