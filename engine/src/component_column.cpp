#include "cohort/engine/component_column.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "cohort/memory/huge_pages.hpp"
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

// Two gathers of the same width in one pass over the order: two random loads per row in flight
// instead of one, and one read of the order instead of two.
template <std::size_t N>
void gather_pair(std::byte* out_a, const std::byte* in_a, std::byte* out_b, const std::byte* in_b,
                 std::span<const Row> order) {
  struct Value {
    std::byte b[N];
  };
  auto* __restrict da = reinterpret_cast<Value*>(out_a);
  auto* __restrict db = reinterpret_cast<Value*>(out_b);
  const auto* __restrict sa = reinterpret_cast<const Value*>(in_a);
  const auto* __restrict sb = reinterpret_cast<const Value*>(in_b);
  constexpr std::size_t kAhead = memory::kGatherAhead;
  const std::size_t n = order.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      __builtin_prefetch(sa + order[i + kAhead]);
      __builtin_prefetch(sb + order[i + kAhead]);
    }
    const Row r = order[i];
    da[i] = sa[r];
    db[i] = sb[r];
  }
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
  const std::size_t bytes = rows * value_bytes_;
  const std::size_t alignment = memory::huge_page_alignment(bytes, alignment_);
  auto* fresh = static_cast<std::byte*>(::operator new (bytes, std::align_val_t{alignment}));
  memory::advise_huge_pages(fresh, bytes);
  return Storage(fresh, AlignedFree{alignment});
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

void ComponentColumn::permute_pair(ComponentColumn& a, ComponentColumn& b,
                                   std::span<const Row> order, std::byte* scratch) {
  const std::size_t n = order.size();
  if (n == 0) return;
  const std::size_t width = a.value_bytes_;
  std::byte* into_a = scratch;
  std::byte* into_b = scratch + n * width;
  switch (width) {
    case 1:
      gather_pair<1>(into_a, a.data_.get(), into_b, b.data_.get(), order);
      break;
    case 2:
      gather_pair<2>(into_a, a.data_.get(), into_b, b.data_.get(), order);
      break;
    case 4:
      gather_pair<4>(into_a, a.data_.get(), into_b, b.data_.get(), order);
      break;
    default:
      throw std::logic_error("permute_pair is for columns of 1, 2 or 4 bytes");
  }
  std::memcpy(a.data_.get(), into_a, n * width);
  std::memcpy(b.data_.get(), into_b, n * width);
}

void ComponentColumn::resize(std::size_t rows) {
  reserve(rows);
  if (rows > size_)
    std::memset(data_.get() + size_ * value_bytes_, 0, (rows - size_) * value_bytes_);
  size_ = rows;
}

}  // namespace cohort::engine
