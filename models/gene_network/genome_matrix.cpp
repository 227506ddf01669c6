#include "genome_matrix.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace cohort::models::gene_network {

template <class T>
GenomeMatrix<T>::GenomeMatrix(std::uint32_t genes, std::size_t individuals)
    : genes_(genes), individuals_(individuals) {
  constexpr std::size_t per_line = kRowAlignBytes / sizeof(T);
  stride_ = (individuals + per_line - 1) / per_line * per_line;
  if (bytes() == 0) return;
  void* p = std::aligned_alloc(kRowAlignBytes, bytes());
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, bytes());  // padding columns stay zero: kernels may read them
  data_.reset(static_cast<T*>(p));
}

template <class T>
void GenomeMatrix<T>::Free::operator()(T* p) const {
  std::free(p);
}

template <class T>
void GenomeMatrix<T>::swap(GenomeMatrix& other) noexcept {
  std::swap(genes_, other.genes_);
  std::swap(individuals_, other.individuals_);
  std::swap(stride_, other.stride_);
  data_.swap(other.data_);
}

template class GenomeMatrix<float>;
template class GenomeMatrix<double>;

}  // namespace cohort::models::gene_network
