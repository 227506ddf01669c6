#include "force_buffers.hpp"

#include "cohort/memory/charge_context.hpp"
#include "cohort/memory/shared_charge.hpp"

namespace cohort::models::lj {

ForceBuffers::ForceBuffers(memory::Accountant& accountant, engine::Population& atoms)
    : accountant_(&accountant),
      atoms_(&atoms),
      partials_tag_(accountant.tags().intern("lj_melt.force_partials")),
      binned_tag_(accountant.tags().intern("lj_melt.binned_coordinates")) {}

std::span<const std::span<FixedVec3>> ForceBuffers::partitions(std::size_t parts,
                                                               std::size_t points) {
  if (partials_.size() != parts * points) {
    partials_.assign(parts * points, FixedVec3{{0, 0, 0}});
    partials_.shrink_to_fit();
    charge(partials_tag_, partials_.capacity() * sizeof(FixedVec3), charged_partials_);
  }
  parts_.clear();
  for (std::size_t p = 0; p < parts; ++p)
    parts_.emplace_back(partials_.data() + p * points, points);
  return parts_;
}

std::span<const float> ForceBuffers::binned(bool wanted, const space::CellList<3>& cells,
                                            std::span<const Vec3> points,
                                            std::span<const Vec3> built,
                                            const space::TaskRunner& run) {
  if (wanted)
    bin_coordinates(cells, points, built, binned_, run);
  else
    std::vector<float>().swap(binned_);
  charge(binned_tag_, binned_.capacity() * sizeof(float), charged_binned_);
  return binned_;
}

void ForceBuffers::release() {
  parts_.clear();
  std::vector<FixedVec3>().swap(partials_);  // `= {}` would keep the capacity
  charge(partials_tag_, 0, charged_partials_);
  std::vector<float>().swap(binned_);
  charge(binned_tag_, 0, charged_binned_);
}

void ForceBuffers::charge(memory::TagId tag, std::size_t bytes, std::size_t& charged) {
  memory::recharge_shared(accountant_->context(0), atoms_->account(), tag, charged, bytes);
  charged = bytes;
}

}  // namespace cohort::models::lj
