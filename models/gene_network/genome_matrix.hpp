#pragma once
// The population's genomes as one gene-major matrix: row g holds gene g of every individual,
// contiguously. The regulatory product then is, for each target gene, a sum of whole source rows
// scaled by weights (vector multiply-adds over individuals), and per-gene statistics are row
// reductions. Individual-major storage would make the product a gather per edge per individual.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace cohort::models::gene_network {

/// Values of a whole number of cache lines: the padding of each row.
inline constexpr std::size_t kRowAlignBytes = 64;

/// A genes x individuals matrix of T, rows padded to kRowAlignBytes and 64-byte aligned, zeroed.
template <class T>
class GenomeMatrix {
 public:
  GenomeMatrix() = default;
  GenomeMatrix(std::uint32_t genes, std::size_t individuals);

  std::uint32_t genes() const { return genes_; }
  std::size_t individuals() const { return individuals_; }
  /// Distance between rows, in values (individuals rounded up to whole lines).
  std::size_t stride() const { return stride_; }
  T* row(std::uint32_t gene) { return data_.get() + gene * stride_; }
  const T* row(std::uint32_t gene) const { return data_.get() + gene * stride_; }
  /// Level of `gene` in individual (column) `individual`.
  T& at(std::uint32_t gene, std::size_t individual) { return row(gene)[individual]; }
  T at(std::uint32_t gene, std::size_t individual) const { return row(gene)[individual]; }
  /// Bytes allocated.
  std::size_t bytes() const { return static_cast<std::size_t>(genes_) * stride_ * sizeof(T); }
  bool empty() const { return data_ == nullptr; }

  void swap(GenomeMatrix& other) noexcept;

 private:
  struct Free {
    void operator()(T* p) const;
  };
  std::uint32_t genes_ = 0;
  std::size_t individuals_ = 0;
  std::size_t stride_ = 0;
  std::unique_ptr<T[], Free> data_;
};

}  // namespace cohort::models::gene_network
