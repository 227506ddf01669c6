#include "cohort/space/continuous/continuous_space.hpp"

#include <algorithm>
#include <limits>

#include "cohort/memory/charge_context.hpp"

namespace cohort::space {

namespace {

template <int D>
double checked_cell_size(const Box<D>& box, const ContinuousOptions& o) {
  const double range = o.cutoff + o.skin;
  if (!(o.cutoff > 0) || !(o.skin >= 0))
    throw std::invalid_argument("continuous space: cutoff must be > 0 and skin >= 0");
  const double cell = o.cell_size > 0 ? o.cell_size : range;
  if (cell < range)
    throw std::invalid_argument("continuous space: cell size " + std::to_string(cell) +
                                " is below cutoff + skin = " + std::to_string(range));
  for (int a = 0; a < D; ++a)
    if (box.periodic(a) && range > 0.5 * box.length(a))
      throw std::invalid_argument("continuous space: cutoff + skin = " + std::to_string(range) +
                                  " exceeds half the periodic box length " +
                                  std::to_string(box.length(a)) + " of axis " + std::to_string(a) +
                                  " (minimum image would be ambiguous)");
  if (o.rebuild == RebuildPolicy::every && o.rebuild_every == 0)
    throw std::invalid_argument("continuous space: rebuild every 0 steps");
  return cell;
}

// Bits per axis of a Morton key: enough for the largest bin count of any axis.
template <int D>
int morton_bits(const CellList<D>& cells) {
  int bits = 1;
  for (int a = 0; a < D; ++a)
    while ((1 << bits) < cells.bins(a))
      ++bits;
  return bits;
}

// Rows per task of the displacement check (fixed: the maximum is order-independent anyway).
constexpr std::size_t kCheckRows = 16384;

}  // namespace

template <int D>
ContinuousSpace<D>::ContinuousSpace(engine::Population& population,
                                    engine::Component<Vec<D>> position, const Box<D>& box,
                                    const ContinuousOptions& options,
                                    memory::Accountant& accountant)
    : population_(&population),
      position_(position),
      accountant_(&accountant),
      tags_(SpaceTags::intern(accountant.tags())),
      options_(options),
      cells_(box, checked_cell_size(box, options)) {
  population.attach(*this);
}

template <int D>
ContinuousSpace<D>::~ContinuousSpace() {
  population_->detach(*this);
  sync_charge(tags_.cells, 0, charged_cells_);
  sync_charge(tags_.neighbours, 0, charged_neighbours_);
}

template <int D>
void ContinuousSpace<D>::sync_charge(memory::TagId tag, std::size_t now, std::size_t& charged) {
  memory::ChargeContext& ctx = accountant_->context(0);
  if (now > charged) ctx.charge_shared(population_->account(), tag, now - charged, now - charged);
  if (now < charged) ctx.release_shared(population_->account(), tag, charged - now, charged - now);
  charged = now;
}

template <int D>
bool ContinuousSpace<D>::update(const TaskRunner& run,
                                const std::function<void()>& before_rebuild) {
  ++since_build_;
  bool due = stale_ || builds_ == 0;
  if (!due) {
    if (options_.rebuild == RebuildPolicy::every) {
      due = since_build_ >= options_.rebuild_every;
    } else {
      const double half_skin = 0.5 * options_.skin;
      double moved2 = max_displacement2(run);
      if (reduce_max_) moved2 = reduce_max_(moved2);
      due = moved2 > half_skin * half_skin;
    }
  }
  if (due) {
    if (before_rebuild) before_rebuild();
    rebuild(run);
  }
  return due;
}

template <int D>
double ContinuousSpace<D>::max_displacement2(const TaskRunner& run) const {
  const auto pos = population_->column(position_);
  const std::span<const Vec<D>> reference =
      build_column_ ? std::span<const Vec<D>>(population_->column(*build_column_))
                    : std::span<const Vec<D>>(reference_);
  if (reference.size() != pos.size()) return std::numeric_limits<double>::infinity();
  const std::size_t n = pos.size(), tasks = (n + kCheckRows - 1) / kCheckRows;
  std::vector<double> partial(tasks, 0.0);
  run(tasks, [&](std::size_t t, std::size_t) {
    double m = 0;
    for (std::size_t r = t * kCheckRows, end = std::min(n, r + kCheckRows); r < end; ++r)
      m = std::max(m, box().distance2(reference[r], pos[r]));
    partial[t] = m;
  });
  double m = 0;
  for (double p : partial)
    m = std::max(m, p);
  return m;
}

template <int D>
std::uint32_t ContinuousSpace<D>::morton_keys(std::span<const std::uint32_t> bins,
                                              std::span<std::uint32_t> keys) const {
  const int bits = morton_bits(cells_);
  // The counting sort needs a counter per key: fall back to row-major order when the Z-order
  // key space is far larger than the bins (or than 32 bits).
  const std::uint64_t key_space = bits * D > 31 ? ~0ull : 1ull << (bits * D);
  if (key_space > 4ull * cells_.cell_count() + bins.size()) {
    std::copy(bins.begin(), bins.end(), keys.begin());
    return cells_.cell_count();
  }
  for (std::size_t r = 0; r < bins.size(); ++r) {
    const std::array<int, D> c = cells_.coords(bins[r]);
    std::uint32_t key = 0;
    for (int b = 0; b < bits; ++b)
      for (int a = 0; a < D; ++a)
        key |= static_cast<std::uint32_t>((c[a] >> b) & 1) << (b * D + a);
    keys[r] = key;
  }
  return std::uint32_t{1} << (bits * D);
}

template <int D>
bool ContinuousSpace<D>::list_fits(std::size_t list_bytes) {
  const memory::PopulationLimits& limits = population_->options().population_budget;
  if (!limits.limited()) return true;
  accountant_->settle();  // budget_bytes() reads settled counters; main thread, nobody charging
  const std::uint64_t others = population_->budget_bytes() - charged_neighbours_;
  if (others + list_bytes <= limits.hard) return true;
  if (options_.over_budget == OverBudget::cells) return false;
  memory::BudgetRefusal r;
  r.account_path = population_->name();
  r.tag = "space.neighbours";
  r.requested = list_bytes;
  r.in_use = others;
  r.limit = limits.hard;
  r.remedy = "raise populations." + population_->name() +
             ".population_budget, shorten cutoff + skin, or let the space fall back to "
             "cell-list queries when the list does not fit (space.on_list_over_budget: cells)";
  throw memory::BudgetExceeded(std::move(r));
}

template <int D>
void ContinuousSpace<D>::set_ghosts(std::vector<Vec<D>> ghosts) {
  incoming_ghosts_ = std::move(ghosts);
  ghost_mode_ = true;
  stale_ = true;
}

template <int D>
std::span<const Vec<D>> ContinuousSpace<D>::points() const {
  if (!ghost_mode_) return population_->column(position_);
  return points_;
}

template <int D>
std::span<Vec<D>> ContinuousSpace<D>::ghost_positions() {
  const std::size_t n = population_->size();
  return std::span<Vec<D>>(points_).subspan(std::min(n, points_.size()));
}

template <int D>
void ContinuousSpace<D>::refresh_points() {
  if (!ghost_mode_) return;
  const auto pos = population_->column(position_);
  std::copy(pos.begin(), pos.end(), points_.begin());
}

template <int D>
void ContinuousSpace<D>::rebuild(const TaskRunner& run) {
  build_structures(run, true);
  stale_ = false;
  since_build_ = 0;
  ++builds_;
}

template <int D>
void ContinuousSpace<D>::restore_build(const BuildCounters& counters, const TaskRunner& run,
                                       const std::function<void()>& place_ghosts) {
  if (!build_column_)
    throw std::logic_error("continuous space: restore_build needs keep_build_positions");
  // The position column holds the build positions while the structures are built (and the
  // current ones wait in the build column), then they swap back. No re-sort: the rows' order
  // does not change which pairs are in range.
  const auto swap_columns = [&] {
    const auto pos = population_->column(position_);
    const auto built = population_->column(*build_column_);
    std::swap_ranges(pos.begin(), pos.end(), built.begin());
  };
  swap_columns();
  if (place_ghosts) place_ghosts();
  fell_back_ = counters.fell_back;
  builds_ = counters.builds;
  build_structures(run, false);
  swap_columns();
  refresh_points();
  since_build_ = counters.since_build;
  stale_ = false;
}

template <int D>
void ContinuousSpace<D>::build_structures(const TaskRunner& run, bool fresh) {
  auto pos = population_->column(position_);
  // With ghosts the structures index rows then ghosts: one contiguous array of both.
  auto gather_points = [&] {
    if (!ghost_mode_) return std::span<const Vec<D>>(pos);
    points_.resize(pos.size() + incoming_ghosts_.size());
    std::copy(pos.begin(), pos.end(), points_.begin());
    std::copy(incoming_ghosts_.begin(), incoming_ghosts_.end(),
              points_.begin() + static_cast<std::ptrdiff_t>(pos.size()));
    return std::span<const Vec<D>>(points_);
  };
  std::span<const Vec<D>> points = gather_points();
  cells_.rebuild(points, run);
  const bool sort_due =
      fresh && options_.sort_rows && pos.size() > 1 &&
      (builds_ == 0 || (options_.sort_every > 0 && builds_ % options_.sort_every == 0));
  if (sort_due) {
    // Z-order (Morton) of the bins rather than row-major: the bins a stencil touches then sit
    // close together in memory in every direction, not only along x (measured at 1M atoms,
    // where a row-major z-layer is larger than the caches). Only the rows move; ghosts stay.
    std::vector<std::uint32_t> keys(pos.size());
    const std::span<const std::uint32_t> bins = cells_.row_cells().first(pos.size());
    const std::uint32_t key_count = morton_keys(bins, keys);
    population_->sort_by(keys, key_count);
    // Re-sorts come a build or more apart, and the list about to be built needs the room: at
    // 1M LJ atoms keeping the scratch was 24 B per atom of the peak, freeing it costs a few ms
    // of page faults at the next re-sort.
    population_->release_permute_scratch();
    pos = population_->column(position_);
    points = gather_points();
    cells_.rebuild(points, run);
  }
  // Now in points_ (charged by its capacity); freed, since `= {}` would keep the capacity.
  if (ghost_mode_) std::vector<Vec<D>>().swap(incoming_ghosts_);
  sync_charge(tags_.cells, cells_.bytes() + points_.capacity() * sizeof(Vec<D>), charged_cells_);
  // The displacement reference serves the cell fallback too (its bins hold while moves stay
  // under skin / 2). A build column is the population's, charged with its components.
  if (fresh && build_column_) {
    const auto built = population_->column(*build_column_);
    std::copy(pos.begin(), pos.end(), built.begin());
  } else if (options_.rebuild == RebuildPolicy::automatic && !build_column_) {
    reference_.assign(pos.begin(), pos.end());
    reference_.shrink_to_fit();  // charged by capacity: no slack left after deaths
  }
  if (options_.neighbour_list && !fell_back_) {
    // The build's scratch (its bin-ordered copy of the positions) is charged while it is held.
    const std::size_t before = charged_neighbours_;
    sync_charge(tags_.neighbours, before + NeighbourList<D>::scratch_bytes(points.size()),
                charged_neighbours_);
    list_.build(cells_, points, range(), options_.list, run);
    sync_charge(tags_.neighbours, before, charged_neighbours_);
    if (!list_fits(list_.bytes() + reference_.capacity() * sizeof(Vec<D>))) {
      list_.release();
      fell_back_ = true;
    }
  }
  sync_charge(tags_.neighbours, list_.bytes() + reference_.capacity() * sizeof(Vec<D>),
              charged_neighbours_);
}

template <int D>
void ContinuousSpace<D>::save(engine::CheckpointWriter& out) const {
  if (ghost_mode_)
    throw std::logic_error(
        "continuous space: a space with ghosts (a distributed run) does not "
        "checkpoint yet");
  out.put(builds_);
  out.put(since_build_);
  out.put(fell_back_);
  out.put_vector(reference_);
  cells_.save(out);
  list_.save(out);
}

template <int D>
void ContinuousSpace<D>::load(engine::CheckpointReader& in) {
  builds_ = in.get<std::uint64_t>("space builds");
  since_build_ = in.get<std::uint32_t>("steps since the space's last build");
  fell_back_ = in.get<bool>("space fallback flag");
  reference_ = in.get_vector<Vec<D>>("space reference positions");
  cells_.load(in);
  list_.load(in);
  const std::size_t n = population_->size();
  if (cells_.rows() != n || (list_.rows() != 0 && list_.rows() != n) ||
      (!reference_.empty() && reference_.size() != n))
    throw engine::CheckpointError("checkpoint is corrupt: the space's structures hold " +
                                  std::to_string(cells_.rows()) + " rows for " + std::to_string(n) +
                                  " agents");
  stale_ = false;
  sync_charge(tags_.cells, cells_.bytes(), charged_cells_);
  sync_charge(tags_.neighbours, list_.bytes() + reference_.capacity() * sizeof(Vec<D>),
              charged_neighbours_);
}

template class ContinuousSpace<2>;
template class ContinuousSpace<3>;

}  // namespace cohort::space
