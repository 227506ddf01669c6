// The observables of the spec: polarisation, mean nearest-neighbour distance and mean number of
// birds within the visual distance, all exact (minimum image) whatever search the birds use.
// Sums are in fixed point and nearest distances are minima, so the figures are the same bits on
// any thread or rank count. A bird with no other bird within the visual distance looks further:
// on several ranks its nearest bird may live on any rank, so every such bird is looked up on
// every rank among that rank's own birds and the smallest distance wins.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "cohort/engine/fixed_point.hpp"
#include "flock.hpp"

namespace cohort::models::flocking {

using engine::Int128;
using engine::Row;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct Sums {
  Int128 vx = 0, vy = 0, nn = 0;
  std::uint64_t neighbours = 0;
  std::vector<Row> isolated;  // rows with no other bird within the visual distance
};

// Every rank's trivially copyable items, concatenated in rank order, on every rank.
template <class T>
std::vector<T> gather_all(const engine::RankGroup& ranks, const std::vector<T>& mine) {
  const engine::RankMessages all = ranks.all_gather(std::as_bytes(std::span(mine)));
  std::vector<T> out;
  for (const std::vector<std::byte>& message : all) {
    const std::size_t at = out.size(), count = message.size() / sizeof(T);
    if (count == 0) continue;  // memcpy must not see the null data() of an empty vector
    out.resize(at + count);
    std::memcpy(out.data() + at, message.data(), count * sizeof(T));
  }
  return out;
}

}  // namespace

double Flock::nearest_own(const Vec2& p, std::uint32_t self, double radius) const {
  const std::span<const Vec2> points = this->points();
  const std::size_t rows = birds_->size();
  const space::Box<2>& b = box();
  // Agents.jl's bins (cells-only search) are a rounded count of width r / 1.5, so the edge bins
  // may be wider than the rest: one more bin of reach keeps the radius queries exact.
  const double pad = cells_.binning() == space::Binning::agents_jl ? cells_.bin_width(0) : 0.0;
  const double everything = 0.5 * std::hypot(b.length(0), b.length(1));
  for (;;) {
    double best = kInfinity;
    cells_.for_each_within(points, p, radius + pad, [&](std::uint32_t j, double d2) {
      if (j != self && j < rows) best = std::min(best, d2);  // ghosts are other ranks' birds
    });
    if (best <= radius * radius || radius >= everything) return best;
    radius *= 2;
  }
}

FlockStats Flock::stats(engine::World& world) const {
  // Terms below engine::kFixedTermLimit (flock_fixed_unit): velocities, and distances to a
  // nearest bird, which are at most half the box's diagonal.
  auto fixed = [unit = fixed_unit_](double x) { return engine::round_fixed(x * unit); };
  const std::span<const Vec2> points = this->points();
  const auto vel = birds_->column(vel_);
  const std::size_t n = birds_->size();
  const engine::RankGroup& ranks = world.ranks();
  const std::uint64_t total = engine::sum_over_ranks(ranks, static_cast<std::uint64_t>(n));
  if (total == 0) return {};
  const double r = rules_.visual_distance, r2 = r * r;
  const double pad = cells_.binning() == space::Binning::agents_jl ? cells_.bin_width(0) : 0.0;

  Sums s = world.reduce(
      n, Sums{},
      [&](Row begin, Row end) {
        Sums acc;
        for (Row i = begin; i < end; ++i) {
          acc.vx += fixed(vel[i][0]);
          acc.vy += fixed(vel[i][1]);
          double best = kInfinity;
          std::uint32_t within = 0;
          cells_.for_each_within(points, points[i], r + pad, [&](std::uint32_t j, double d2) {
            if (j == i || d2 > r2) return;
            ++within;
            best = std::min(best, d2);
          });
          acc.neighbours += within;
          if (within > 0)
            acc.nn += fixed(std::sqrt(best));
          else if (total > 1)
            acc.isolated.push_back(i);
        }
        return acc;
      },
      [](Sums a, const Sums& c) {
        a.vx += c.vx, a.vy += c.vy, a.nn += c.nn, a.neighbours += c.neighbours;
        a.isolated.insert(a.isolated.end(), c.isolated.begin(), c.isolated.end());
        return a;
      });

  // The isolated birds of every rank, each looked up among every rank's own birds.
  std::vector<Vec2> mine(s.isolated.size());
  for (std::size_t k = 0; k < mine.size(); ++k)
    mine[k] = points[s.isolated[k]];
  const std::vector<Vec2> isolated = gather_all(ranks, mine);
  const std::vector<std::uint64_t> counts =
      engine::gather_values(ranks, static_cast<std::uint64_t>(mine.size()));
  std::size_t own_first = 0;  // where this rank's isolated birds start in `isolated`
  for (int q = 0; q < ranks.rank(); ++q)
    own_first += counts[static_cast<std::size_t>(q)];
  std::vector<double> best(isolated.size());
  for (std::size_t k = 0; k < isolated.size(); ++k) {
    const bool own = k >= own_first && k < own_first + mine.size();
    const std::uint32_t self = own ? s.isolated[k - own_first] : ~0u;
    best[k] = nearest_own(isolated[k], self, 2 * r);
  }
  const std::vector<double> every = gather_all(ranks, best);  // rank after rank
  Int128 isolated_nn = 0;
  for (std::size_t k = 0; k < isolated.size(); ++k) {
    double d2 = kInfinity;
    for (std::size_t at = k; at < every.size(); at += isolated.size())
      d2 = std::min(d2, every[at]);
    isolated_nn += fixed(std::sqrt(d2));
  }
  if (ranks.rank() == 0) s.nn += isolated_nn;  // every rank holds the same figure: count it once

  const Int128 vx = engine::sum_over_ranks(ranks, s.vx), vy = engine::sum_over_ranks(ranks, s.vy);
  const Int128 nn = engine::sum_over_ranks(ranks, s.nn);
  const std::uint64_t neighbours = engine::sum_over_ranks(ranks, s.neighbours);
  const double count = static_cast<double>(total);
  const double sx = engine::from_fixed(vx, fixed_unit_);
  const double sy = engine::from_fixed(vy, fixed_unit_);
  return {std::sqrt(sx * sx + sy * sy) / count, engine::from_fixed(nn, fixed_unit_) / count,
          static_cast<double>(neighbours) / count};
}

}  // namespace cohort::models::flocking
