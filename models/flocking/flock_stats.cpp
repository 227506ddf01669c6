// The observables of the spec: polarisation, mean nearest-neighbour distance and mean number of
// birds within the visual distance, all exact (minimum image) whatever search the birds use.
#include <algorithm>
#include <cmath>
#include <limits>

#include "flock.hpp"

namespace cohort::models::flocking {

using engine::Row;

namespace {

struct Sums {
  double vx = 0, vy = 0, nn = 0, neighbours = 0;
};

}  // namespace

FlockStats Flock::stats(engine::World& world) const {
  const auto pos = birds_->column(pos_);
  const auto vel = birds_->column(vel_);
  const std::size_t n = pos.size();
  if (n == 0) return {};
  const space::Box<2>& b = box();
  const double r = rules_.visual_distance, r2 = r * r;
  // Agents.jl's bins (cells-only search) are a rounded count of width r / 1.5, so the edge bins
  // may be wider than the rest: one more bin of reach keeps the radius queries exact.
  const double pad = cells_.binning() == space::Binning::agents_jl ? cells_.bin_width(0) : 0.0;
  const double everything = 0.5 * std::hypot(b.length(0), b.length(1));

  // Nearest other bird of `row` (squared distance), searching outwards from `radius`.
  auto nearest = [&](Row row, double radius) {
    for (;;) {
      double best = std::numeric_limits<double>::infinity();
      cells_.for_each_within(pos, pos[row], radius + pad, [&](std::uint32_t j, double d2) {
        if (j != row) best = std::min(best, d2);
      });
      if (best <= radius * radius || radius >= everything) return best;
      radius *= 2;
    }
  };

  const Sums s = world.reduce(
      n, Sums{},
      [&](Row begin, Row end) {
        Sums acc;
        for (Row i = begin; i < end; ++i) {
          acc.vx += vel[i][0];
          acc.vy += vel[i][1];
          double best = std::numeric_limits<double>::infinity();
          std::uint32_t within = 0;
          cells_.for_each_within(pos, pos[i], r + pad, [&](std::uint32_t j, double d2) {
            if (j == i || d2 > r2) return;
            ++within;
            best = std::min(best, d2);
          });
          if (within == 0 && n > 1) best = nearest(i, 2 * r);
          acc.neighbours += within;
          acc.nn += n > 1 ? std::sqrt(best) : 0.0;
        }
        return acc;
      },
      [](Sums a, const Sums& c) {
        a.vx += c.vx, a.vy += c.vy, a.nn += c.nn, a.neighbours += c.neighbours;
        return a;
      });
  const double count = static_cast<double>(n);
  return {std::sqrt(s.vx * s.vx + s.vy * s.vy) / count, s.nn / count, s.neighbours / count};
}

}  // namespace cohort::models::flocking
