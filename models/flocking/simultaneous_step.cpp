// The simultaneous schedule: every bird steers from the positions and velocities at the start of
// the step, then every bird moves. The neighbour sums are in fixed point, so a bird's new
// velocity is the same whatever order its neighbours are visited in (their rows, bins, thread or
// MPI rank); that is what lets the flock run spread over ranks with identical outputs. On
// several ranks each step ends with migration (birds that left the region go to its owner) and
// a fresh halo (positions and velocities of other ranks' birds within the visual distance).
#include <algorithm>
#include <cmath>

#include "cohort/distributed/migration.hpp"
#include "cohort/engine/fixed_point.hpp"
#include "cohort/space/continuous/cells_only_query.hpp"
#include "flock.hpp"

namespace cohort::models::flocking {

using engine::Int128;
using engine::Row;

namespace {
constexpr std::size_t kRowsPerTask = 256;  // a few tasks per thread even for the small flock
}  // namespace

Vec2 Flock::steer_from_start(Row row, std::span<const Vec2> vel) const {
  const std::span<const Vec2> points = points_;
  const std::size_t rows = birds_->size();
  const space::Box<2>& b = box();
  const Vec2 p = points[row];
  const double separation2 = rules_.separation * rules_.separation;
  Int128 cohere[2] = {0, 0}, separate[2] = {0, 0}, match[2] = {0, 0};
  std::uint32_t n = 0;
  // Terms stay below engine::kFixedTermLimit (flock_fixed_unit): |h| <= visual_distance, which
  // is under half the box, and velocities are unit vectors after a bird's first step (at most
  // sqrt 2 before).
  auto add = [&](std::uint32_t j) {
    const Vec2 h = b.separation(p, points[j]);
    const Vec2& v = j < rows ? vel[j] : ghost_velocities_[j - rows];
    const bool push = h[0] * h[0] + h[1] * h[1] < separation2;
    for (int a = 0; a < 2; ++a) {
      const std::int64_t term = engine::round_fixed(h[a] * fixed_unit_);
      cohere[a] += term;
      if (push) separate[a] -= term;
      match[a] += engine::round_fixed(v[a] * fixed_unit_);
    }
    ++n;
  };
  if (rules_.search == NeighbourSearch::exact)
    cells_.for_each_within(points, p, rules_.visual_distance, [&](std::uint32_t j, double) {
      if (j != row) add(j);
    });
  else
    space::for_each_in_cells_agents_jl(cells_, p, rules_.visual_distance, [&](std::uint32_t j) {
      if (j != row) add(j);
    });
  const double m = std::max(n, 1u);
  Vec2 v = vel[row];
  for (int a = 0; a < 2; ++a)
    v[a] += (rules_.cohere_factor * engine::from_fixed(cohere[a], fixed_unit_) +
             rules_.separate_factor * engine::from_fixed(separate[a], fixed_unit_) +
             rules_.match_factor * engine::from_fixed(match[a], fixed_unit_)) /
            m;
  const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1]);
  if (norm > 0) {  // a zero vector stays zero, as in the random schedule
    v[0] /= norm;
    v[1] /= norm;
  }
  return v;
}

void Flock::step_simultaneously(engine::World& world) {
  const std::size_t n = birds_->size();
  next_velocities_.resize(n);
  const auto vel = birds_->column(vel_);
  world.run_tasks((n + kRowsPerTask - 1) / kRowsPerTask, [&](std::size_t task, std::size_t) {
    const std::size_t end = std::min(n, (task + 1) * kRowsPerTask);
    for (std::size_t i = task * kRowsPerTask; i < end; ++i)
      next_velocities_[i] = steer_from_start(static_cast<Row>(i), vel);
  });
  const auto pos = birds_->column(pos_);
  const space::Box<2>& b = box();
  for (std::size_t i = 0; i < n; ++i) {
    vel[i] = next_velocities_[i];
    for (int a = 0; a < 2; ++a)
      pos[i][a] = b.wrap(a, pos[i][a] + rules_.speed * vel[i][a]);
  }
  refresh_neighbourhood();
}

void Flock::refresh_neighbourhood() {
  std::vector<Vec2> ghosts;
  if (halo_) {
    distributed::migrate<2>(*birds_, pos_, *decomposition_, *ranks_);
    ghosts = halo_->rebuild(*decomposition_, rules_.visual_distance, *ranks_);
  }
  const auto pos = birds_->column(pos_);
  points_.assign(pos.begin(), pos.end());
  points_.insert(points_.end(), ghosts.begin(), ghosts.end());
  ghost_velocities_.resize(ghosts.size());
  if (halo_) halo_->forward(vel_, std::span<Vec2>(ghost_velocities_), *ranks_);
  cells_.rebuild(points_);
  charge_cells();
}

void Flock::keep_own_region() {
  if (!halo_) return;
  decomposition_ = std::make_unique<distributed::BoxDecomposition<2>>(
      distributed::BoxDecomposition<2>::bisect(box(), birds_->column(pos_), ranks_->size()));
  for (auto r = static_cast<Row>(birds_->size()); r-- > 0;)
    if (decomposition_->owner(birds_->column(pos_)[r]) != ranks_->rank())
      birds_->destroy(birds_->id_at(r));
}

}  // namespace cohort::models::flocking
