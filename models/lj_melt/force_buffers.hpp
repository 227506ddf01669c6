#pragma once
// The buffers of lj_melt's forces pass, charged to the atoms' population by capacity: each force
// partition's fixed-point forces, and without a list the coordinates in bin order.

#include <cstddef>
#include <span>
#include <vector>

#include "cohort/engine/population.hpp"
#include "cohort/memory/accountant.hpp"
#include "lj_forces.hpp"

namespace cohort::models::lj {

/// Force partitions and bin-ordered coordinates, allocated when needed and freed on request, so
/// a list build (whose scratch they would sit beside) does not hold them.
class ForceBuffers {
 public:
  /// Charges go to `atoms` (under lj_melt.force_partials and lj_melt.binned_coordinates).
  ForceBuffers(memory::Accountant& accountant, engine::Population& atoms);
  ForceBuffers(const ForceBuffers&) = delete;
  ForceBuffers& operator=(const ForceBuffers&) = delete;

  /// `parts` arrays of `points` forces each (zero when first made; a pass rewrites them).
  std::span<const std::span<FixedVec3>> partitions(std::size_t parts, std::size_t points);
  /// The arrays of the last partitions() call.
  std::span<const std::span<FixedVec3>> partitions() const { return parts_; }
  /// bin_coordinates() of `points` and `built` when `wanted`, else nothing (and freed).
  std::span<const float> binned(bool wanted, const space::CellList<3>& cells,
                                std::span<const Vec3> points, std::span<const Vec3> built,
                                const space::TaskRunner& run);
  /// Frees both (their charges drop to 0) until they are next asked for. The model calls it
  /// before its population goes (Model::release).
  void release();

 private:
  void charge(memory::TagId tag, std::size_t bytes, std::size_t& charged);

  memory::Accountant* accountant_;
  engine::Population* atoms_;
  memory::TagId partials_tag_, binned_tag_;
  std::vector<FixedVec3> partials_;          // one array of forces per partition, end to end
  std::vector<std::span<FixedVec3>> parts_;  // partials_ cut per partition
  std::vector<float> binned_;
  std::size_t charged_partials_ = 0, charged_binned_ = 0;
};

}  // namespace cohort::models::lj
