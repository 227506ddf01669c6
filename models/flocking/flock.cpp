#include "flock.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "cohort/engine/activation_order.hpp"
#include "cohort/memory/charge_context.hpp"
#include "cohort/space/continuous/cells_only_query.hpp"

namespace cohort::models::flocking {

using engine::Row;

namespace {

constexpr std::uint16_t kPlaceStream = 0;
constexpr std::uint16_t kOrderStream = 1;
constexpr std::size_t kSortRows = 16384;  // 512 KiB of positions and velocities
constexpr std::uint64_t kSortEvery = 10;

space::CellList<2> make_cells(const space::Box<2>& box, const FlockRules& rules) {
  if (rules.search == NeighbourSearch::cells_only)
    return space::CellList<2>(box, space::agents_jl_cell_size(rules.visual_distance),
                              space::Binning::agents_jl);
  // Bins of width r: a query walks 3 runs of 3 bins. Narrower bins see fewer candidates (r / 2:
  // 45 instead of 58 a bird on the large case) but cost more runs and more re-binning: r / 2
  // was 20% slower on the small case and no faster on the large one.
  const double width = rules.cell_size > 0 ? rules.cell_size : rules.visual_distance;
  return space::CellList<2>(box, width, space::Binning::floor);
}

// (x, y) in one SSE register (GCC/Clang vector extension): each lane does exactly the scalar
// operations, so the sums are those of scalar code, at half the instructions.
using Pair = double __attribute__((vector_size(16)));
using Mask = long long __attribute__((vector_size(16)));  // per lane: all ones or zero

Pair pair_of(const Vec2& v) {
  Pair p;
  std::memcpy(&p, v.data(), sizeof p);
  return p;
}

// The steering of one bird from the birds it sees: sums over neighbours j of
// h = minimage(pos_j - pos_i) (cohere), vel_j (match) and -h when |h|^2 < separation^2.
struct Steering {
  Pair cohere = {0, 0}, separate = {0, 0}, match = {0, 0};
  std::uint32_t n = 0;

  // Adds bird j (separation h, |h|^2 = d2 in both lanes, velocity v) if `in` (both lanes all
  // ones): branch-free, because whether a candidate lies within r is a coin flip the branch
  // predictor loses. A bird left out adds +0, which leaves every sum as it was.
  void add(Pair h, Pair d2, Pair v, Mask in, Pair separation2) {
    const Mask push = in & (d2 < separation2);
    cohere += reinterpret_cast<Pair>(reinterpret_cast<Mask>(h) & in);
    match += reinterpret_cast<Pair>(reinterpret_cast<Mask>(v) & in);
    separate -= reinterpret_cast<Pair>(reinterpret_cast<Mask>(h) & push);
    n -= static_cast<std::uint32_t>(in[0]);  // -1 when in
  }
  void add(const Vec2& h, const Vec2& v, bool in, double separation2) {
    const double d2 = h[0] * h[0] + h[1] * h[1];
    const long long all = in ? -1 : 0;
    add(pair_of(h), Pair{d2, d2}, pair_of(v), Mask{all, all}, Pair{separation2, separation2});
  }
};

// Bins a query of radius r must reach along each axis of `cells`.
std::array<int, 2> reach_of(const space::CellList<2>& cells, double r) {
  std::array<int, 2> reach;
  for (int a = 0; a < 2; ++a) {
    reach[a] = static_cast<int>(std::ceil(r / cells.bin_width(a)));
    if (reach[a] * cells.bin_width(a) < r) ++reach[a];  // r / w rounded down onto an integer
  }
  return reach;
}

}  // namespace

double flock_fixed_unit(double longest) {
  return std::ldexp(1.0, 50 - (std::ilogb(std::max(longest, 2.0)) + 1));
}

Flock::Flock(engine::World& world, engine::Population& birds, const space::Box<2>& box,
             const FlockRules& rules)
    : birds_(&birds),
      accountant_(&world.accountant()),
      tags_(space::SpaceTags::intern(world.accountant().tags())),
      rules_(rules),
      pos_(birds.add_component<Vec2>("position")),
      vel_(birds.add_component<Vec2>("velocity")),
      cells_(make_cells(box, rules)),
      reach_(reach_of(cells_, rules.visual_distance)),
      ranks_(&world.ranks()),
      fixed_unit_(flock_fixed_unit(std::max(box.length(0), box.length(1)))) {
  if (ranks_->size() == 1) return;
  if (rules.schedule != FlockSchedule::simultaneous)
    throw std::invalid_argument(
        "flocking runs over several ranks only with the simultaneous schedule (the random "
        "schedule activates one bird at a time in one global order)");
  if (rules.search != NeighbourSearch::exact)
    throw std::invalid_argument(
        "flocking runs over several ranks only with the exact neighbour search (the cells_only "
        "search reaches birds beyond the visual distance, which the halo does not carry)");
  halo_ = std::make_unique<distributed::HaloExchange<2>>(birds, pos_);
}

Flock::~Flock() {
  memory::ChargeContext& ctx = accountant_->context(0);
  if (charged_ > 0) ctx.release_shared(birds_->account(), tags_.cells, charged_, charged_);
}

void Flock::charge_cells() {
  // The bins, and the simultaneous schedule's copies of the points and ghost velocities and its
  // new velocities: the space's view of the birds.
  const std::size_t now =
      cells_.bytes() + sizeof(Vec2) * (points_.capacity() + ghost_velocities_.capacity() +
                                       next_velocities_.capacity());
  memory::ChargeContext& ctx = accountant_->context(0);
  if (now > charged_)
    ctx.charge_shared(birds_->account(), tags_.cells, now - charged_, now - charged_);
  if (now < charged_)
    ctx.release_shared(birds_->account(), tags_.cells, charged_ - now, charged_ - now);
  charged_ = now;
}

void Flock::populate(engine::World& world, std::uint64_t count) {
  const space::Box<2>& b = box();
  // Bird `uid`'s velocity, then its position, from its own stream.
  auto draw = [&](engine::Uid uid, Vec2& p, Vec2& v) {
    engine::RandomStream rng(world.seed(), uid, ~0ull, kPlaceStream);
    v[0] = 2 * rng.uniform() - 1;
    v[1] = 2 * rng.uniform() - 1;
    for (int a = 0; a < 2; ++a)
      p[a] = b.wrap(a, rng.uniform() * b.length(a));  // U * L may round up to L
  };
  if (halo_) {
    // Every rank draws every bird, so the bisection is the same on every rank.
    const engine::Uid first = world.next_uid();
    std::vector<Vec2> pos(count), vel(count);
    for (std::uint64_t k = 0; k < count; ++k)
      draw(first + k, pos[k], vel[k]);
    decomposition_ = std::make_unique<distributed::BoxDecomposition<2>>(
        distributed::BoxDecomposition<2>::bisect(b, pos, ranks_->size()));
    for (std::uint64_t k = 0; k < count; ++k) {
      if (decomposition_->owner(pos[k]) != ranks_->rank()) continue;
      const Row row = birds_->row_of(birds_->create_with_uid(first + k));
      birds_->column(pos_)[row] = pos[k];
      birds_->column(vel_)[row] = vel[k];
    }
    world.set_next_uid(first + count);
    refresh_neighbourhood();
    return;
  }
  birds_->reserve(count);
  for (std::uint64_t k = 0; k < count; ++k) {
    const Row row = birds_->row_of(birds_->create());
    draw(birds_->uid_at(row), birds_->column(pos_)[row], birds_->column(vel_)[row]);
  }
  rebin();
}

Row Flock::add_bird(const Vec2& pos, const Vec2& vel) {
  const Row row = birds_->row_of(birds_->create());
  Vec2 p = pos;
  box().wrap(p);
  birds_->column(pos_)[row] = p;
  birds_->column(vel_)[row] = vel;
  rebin();
  return row;
}

void Flock::rebin() {
  if (rules_.schedule == FlockSchedule::simultaneous) {
    refresh_neighbourhood();
    return;
  }
  cells_.rebuild(birds_->column(pos_));
  charge_cells();
}

std::span<const Vec2> Flock::points() const {
  if (rules_.schedule == FlockSchedule::simultaneous) return points_;
  return birds_->column(pos_);
}

std::uint32_t Flock::activate(Row row) {
  return activate(row, birds_->column(pos_), birds_->column(vel_));
}

std::uint32_t Flock::activate(Row row, std::span<Vec2> pos, std::span<Vec2> vel) {
  const space::Box<2>& b = box();
  const Vec2 p = pos[row];
  const double r = rules_.visual_distance, separation2 = rules_.separation * rules_.separation;
  Steering s;
  if (rules_.search == NeighbourSearch::exact) {
    // Every bird in the bins around p, with the separation the space's exact query computes
    // (Box::separation's value, minimum image); in = within r and not itself.
    const double r2 = r * r;
    const Pair at = pair_of(p), radius2 = {r2, r2}, push2 = {separation2, separation2};
    cells_.for_each_run_around(
        cells_.coords(cells_.row_cells()[row]), reach_,  // bins are current: the row's bin
        [&](std::uint32_t first, std::uint32_t last, const Vec2& shift,
            const std::array<bool, 2>& whole) {
          const auto rows = cells_.rows_in_run(first, last);
          if (whole[0] || whole[1]) {  // a box a few bins wide: minimum image per pair
            for (const std::uint32_t j : rows) {
              const Vec2 h = b.separation(p, pos[j]);
              s.add(h, vel[j], (h[0] * h[0] + h[1] * h[1] <= r2) & (j != row), separation2);
            }
            return;
          }
          // (q - p) + shift, as the space's exact query (binned_separation) computes it. Built
          // lane by lane: `shift` was just stored per axis, and one 16-byte load of it stalls
          // on store forwarding (12% of the small case in perf).
          const Pair offset = {shift[0], shift[1]};
          for (const std::uint32_t j : rows) {
            const Pair h = (pair_of(pos[j]) - at) + offset;
            const Pair h2 = h * h;
            const Pair d2 = h2 + __builtin_shufflevector(h2, h2, 1, 0);  // |h|^2 in both lanes
            const long long other = -static_cast<long long>(j != row);
            s.add(h, d2, pair_of(vel[j]), (d2 <= radius2) & Mask{other, other}, push2);
          }
        });
  } else {
    space::for_each_in_cells_agents_jl(cells_, p, r, [&](std::uint32_t j) {
      s.add(b.separation(p, pos[j]), vel[j], j != row, separation2);
    });
  }
  const double m = std::max(s.n, 1u);
  Vec2& v = vel[row];
  for (int a = 0; a < 2; ++a)
    v[a] += (rules_.cohere_factor * s.cohere[a] + rules_.separate_factor * s.separate[a] +
             rules_.match_factor * s.match[a]) /
            m;
  // A zero vector has no direction: it stays zero rather than becoming NaN (MASON's choice).
  const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1]);
  if (norm > 0) {
    v[0] /= norm;
    v[1] /= norm;
  }
  Vec2& q = pos[row];
  for (int a = 0; a < 2; ++a)
    q[a] = b.wrap(a, q[a] + rules_.speed * v[a]);
  cells_.move(row, q);
  return s.n;
}

void Flock::add_activation(engine::World& world, const std::string& phase) {
  if (rules_.schedule == FlockSchedule::simultaneous) {
    world.add_system("activate", phase,
                     [this](engine::World& w, std::uint64_t) { step_simultaneously(w); });
    return;
  }
  // A per-step system with its own shuffle rather than Schedule::random: the engine's keyed
  // sort of 200 birds was 13% of the small case's time, the shuffle 2.5% (perf, 100 runs).
  world.add_system("activate", phase,
                   [this](engine::World& w, std::uint64_t step) { activate_all(w, step); });
}

void Flock::activate_all(engine::World& world, std::uint64_t step) {
  // Past a few hundred KB of birds, candidates read from rows in creation order miss the cache
  // on nearly every pair (40,000 birds took 6.7 s a run, 800x the 400-bird case). Rows sorted
  // by bin every few steps make each run of bins a contiguous slice of rows. Deterministic: the
  // sort is stable and keyed by bins, and the shuffle below is of the sorted rows.
  if (birds_->size() >= kSortRows && step % kSortEvery == 0) {
    birds_->sort_by(cells_.row_cells(), cells_.cell_count());
    rebin();
  }
  engine::RandomStream shuffle =
      engine::RandomStream::for_population(world.seed(), birds_->index(), step, kOrderStream);
  engine::shuffle_rows(order_, birds_->size(), shuffle);
  const auto pos = birds_->column(pos_);
  const auto vel = birds_->column(vel_);
  for (const Row r : order_)
    activate(r, pos, vel);
}

}  // namespace cohort::models::flocking
