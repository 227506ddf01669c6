#pragma once
// A population placed in a continuous box: its cell list and (optionally) its Verlet neighbour
// list, kept in step with the population's rows, rebuilt by policy, and charged to the
// population's account under SpaceTags within its population budget.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cohort/engine/population.hpp"
#include "cohort/space/continuous/neighbour_list.hpp"
#include "cohort/space/space_tags.hpp"

namespace cohort::space {

/// When the neighbour structures are rebuilt.
enum class RebuildPolicy : std::uint8_t {
  every,      ///< every `rebuild_every` updates (LAMMPS' `neigh_modify every N check no`)
  automatic,  ///< when some agent moved more than skin / 2 since the last build
};

/// What happens when a neighbour list would cross the population budget.
enum class OverBudget : std::uint8_t {
  fail,   ///< throw memory::BudgetExceeded (tag space.neighbours)
  cells,  ///< drop the list for good and answer neighbour loops from the cell list (slower,
          ///< less memory): the space's reclaimer rung
};

/// How a continuous space is run (the parsed `space:` block plus what the model decides).
struct ContinuousOptions {
  double cutoff = 1;     ///< interaction range
  double skin = 0;       ///< extra range of the lists, so they stay valid between rebuilds
  double cell_size = 0;  ///< minimum bin width; 0: cutoff + skin
  bool neighbour_list = true;
  ListKind list = ListKind::half;
  RebuildPolicy rebuild = RebuildPolicy::every;
  std::uint32_t rebuild_every = 1;  ///< updates between rebuilds under RebuildPolicy::every
  OverBudget over_budget = OverBudget::fail;
  bool sort_rows = false;  ///< re-sort rows by bin (Z-order) at rebuilds, for locality
  /// Rebuilds between re-sorts (the first build always sorts); LAMMPS re-sorts every 1000
  /// steps. Each re-sort permutes every column of the population.
  std::uint32_t sort_every = 1;
};

/// Where the policy stands: what a portable checkpoint keeps of a space besides the agents.
struct BuildCounters {
  std::uint64_t builds = 0;       ///< builds so far (re-sorts are due by it)
  std::uint32_t since_build = 0;  ///< updates since the last build
  bool fell_back = false;         ///< the list was dropped for the cell fallback
};

/// The neighbour structures of one population whose positions are a column. Registers itself as
/// a RowStore, so births, deaths and permutations mark it stale (the next update rebuilds).
template <int D>
class ContinuousSpace final : public engine::RowStore {
 public:
  /// `population` must be empty (RowStore rule). Throws std::invalid_argument if the range
  /// (cutoff + skin) exceeds half a periodic axis or the cell size is below the range.
  ContinuousSpace(engine::Population& population, engine::Component<Vec<D>> position,
                  const Box<D>& box, const ContinuousOptions& options,
                  memory::Accountant& accountant);
  ~ContinuousSpace() override;
  ContinuousSpace(const ContinuousSpace&) = delete;
  ContinuousSpace& operator=(const ContinuousSpace&) = delete;

  const Box<D>& box() const { return cells_.box(); }
  const ContinuousOptions& options() const { return options_; }
  /// cutoff + skin: the range the list (or the cell fallback) covers.
  double range() const { return options_.cutoff + options_.skin; }

  /// Call once per step before neighbour loops: rebuilds when the rows changed, when nothing was
  /// built yet, or when the policy says so, calling `before_rebuild` first (e.g. to wrap the
  /// positions, as LAMMPS does only at rebuilds). Returns whether it rebuilt.
  bool update(const TaskRunner& run = {}, const std::function<void()>& before_rebuild = {});
  /// Rebuilds now: sorts rows by bin (if asked), rebuilds cells and the list, charges them.
  void rebuild(const TaskRunner& run = {});
  /// Largest squared displacement of any agent since the last build (minimum image).
  double max_displacement2(const TaskRunner& run = {}) const;

  const CellList<D>& cells() const { return cells_; }
  const NeighbourList<D>& list() const { return list_; }
  /// Whether neighbour loops use the Verlet list (false without one or after a fallback).
  bool uses_list() const { return options_.neighbour_list && !fell_back_; }
  std::uint64_t builds() const { return builds_; }
  std::uint64_t fallbacks() const { return fell_back_ ? 1 : 0; }
  /// Bytes charged under space.cells and space.neighbours.
  std::size_t cell_bytes() const { return charged_cells_; }
  std::size_t neighbour_bytes() const { return charged_neighbours_; }

  /// Calls fn(j) for the neighbours of `row` within range() at the last build, with the list's
  /// half/full rule (half: each pair once overall): from the list, or from the bins after a
  /// fallback. Between rebuilds this is a superset of the pairs within cutoff while no agent
  /// moved more than skin / 2.
  template <class Fn>
  void for_each_neighbour(std::uint32_t row, Fn&& fn) const;

  // Ghosts: agents of other processes (MPI ranks) within range of this one's region, placed in
  // the structures after the population's rows, so neighbour loops see them as rows n.. n+g-1.

  /// Places `ghosts` (positions) after the population's rows from the next rebuild on (call it
  /// before each rebuild of a distributed run, e.g. in update()'s before_rebuild).
  void set_ghosts(std::vector<Vec<D>> ghosts);
  /// Whether the structures hold ghosts (set_ghosts was called).
  bool has_ghosts() const { return ghost_mode_; }
  /// The positions the structures index: the population's rows, then the ghosts. Without ghosts,
  /// the position column itself.
  std::span<const Vec<D>> points() const;
  /// The ghosts' current positions (the tail of points()), for the halo's per-step refresh.
  std::span<Vec<D>> ghost_positions();
  /// Copies the population's current positions into points() (with ghosts: once per step before
  /// neighbour loops, after the positions moved).
  void refresh_points();
  /// Combines the largest displacement with the other ranks' (a maximum over ranks), so every
  /// rank of a distributed run rebuilds at the same step under RebuildPolicy::automatic.
  void set_displacement_reduction(std::function<double(double)> reduce_max) {
    reduce_max_ = std::move(reduce_max);
  }

  /// Keeps the positions of each build in `column` (a component of the population) instead of a
  /// private copy: they then travel with the agents (migration, portable checkpoints), and
  /// restore_build() can rebuild that build's very lists. Call before the first build.
  void keep_build_positions(engine::Component<Vec<D>> column) { build_column_ = column; }
  BuildCounters counters() const { return {builds_, since_build_, fell_back_}; }
  /// For Model::load of a portable checkpoint (the agents restored, in any row order, with their
  /// build positions): rebuilds the structures from the build positions, so the lists hold the
  /// saved run's pairs, and takes the saved counters. `place_ghosts` runs while the position
  /// column holds the build positions (a distributed model selects its ghosts there, as at that
  /// build). Throws std::logic_error without keep_build_positions().
  void restore_build(const BuildCounters& counters, const TaskRunner& run = {},
                     const std::function<void()>& place_ghosts = {});

  /// Writes the structures and the policy's counters, so a resumed run continues with the same
  /// (possibly stale, by design) lists. For Model::save.
  void save(engine::CheckpointWriter& out) const;
  /// Reads what save() wrote, after the population's rows were restored (Model::load).
  void load(engine::CheckpointReader& in);

  // RowStore: any row change makes the structures stale.
  void append_row(engine::Row) override { stale_ = true; }
  void swap_remove_row(engine::Row, engine::Row) override { stale_ = true; }
  void permute_rows(std::span<const engine::Row>) override { stale_ = true; }

 private:
  void sync_charge(memory::TagId tag, std::size_t now, std::size_t& charged);
  // Cells and the list from the current positions. `fresh`: a new build (re-sorts when due,
  // records the build positions); otherwise a restore, whose build positions are in place.
  void build_structures(const TaskRunner& run, bool fresh);
  bool list_fits(std::size_t list_bytes);
  // Z-order keys of the rows' bins (for Population::sort_by); returns the key count.
  std::uint32_t morton_keys(std::span<const std::uint32_t> bins,
                            std::span<std::uint32_t> keys) const;

  engine::Population* population_;
  engine::Component<Vec<D>> position_;
  memory::Accountant* accountant_;
  SpaceTags tags_;
  ContinuousOptions options_;
  CellList<D> cells_;
  NeighbourList<D> list_;
  std::vector<Vec<D>> reference_;  // positions at the last build (automatic policy only)
  std::optional<engine::Component<Vec<D>>> build_column_;  // replaces reference_ when set
  std::vector<Vec<D>> points_;  // with ghosts: rows' positions, then the ghosts'
  std::vector<Vec<D>> incoming_ghosts_;
  std::function<double(double)> reduce_max_;
  bool ghost_mode_ = false;
  std::size_t charged_cells_ = 0;
  std::size_t charged_neighbours_ = 0;
  std::uint64_t builds_ = 0;
  std::uint32_t since_build_ = 0;
  bool stale_ = true;
  bool fell_back_ = false;
};

template <int D>
template <class Fn>
void ContinuousSpace<D>::for_each_neighbour(std::uint32_t row, Fn&& fn) const {
  if (uses_list()) {
    for (std::uint32_t j : list_.neighbours_of(row))
      fn(j);
    return;
  }
  const std::span<const Vec<D>> pos = points();
  const bool half = options_.list == ListKind::half;
  cells_.for_each_within(pos, pos[row], range(), [&](std::uint32_t j, double) {
    if (half ? j > row : j != row) fn(j);
  });
}

extern template class ContinuousSpace<2>;
extern template class ContinuousSpace<3>;

}  // namespace cohort::space
