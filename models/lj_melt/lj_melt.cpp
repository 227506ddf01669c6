// lj_melt: LAMMPS' Lennard-Jones benchmark (bench/in.lj) and melt example as a cohort model, on
// the continuous space's half Verlet list. The definition, and the numbers it must reproduce,
// are in specs/lj_melt.md; the order of a step is LAMMPS' (section 8):
//   initial integrate -> (every N steps: wrap, re-sort, rebuild) -> forces -> final integrate.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "cohort/distributed/box_decomposition.hpp"
#include "cohort/distributed/halo_exchange.hpp"
#include "cohort/distributed/migration.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/space/continuous/continuous_settings.hpp"
#include "cohort/space/continuous/finite_values.hpp"
#include "force_buffers.hpp"
#include "lattice.hpp"
#include "lj_forces.hpp"
#include "thermo.hpp"

namespace cohort::models {

namespace {

using engine::BlockContext;
using engine::Component;
using engine::ParamSpec;
using engine::Row;
using lj::Vec3;
using space::ContinuousSpace;

// The benchmark's neighbour settings: `neighbor 0.3 bin`, `neigh_modify every 20 check no`.
space::ContinuousSpaceSettings lj_space_defaults() {
  space::ContinuousSpaceSettings d;
  d.dimensions = 3;
  d.options.cutoff = 2.5;
  d.options.skin = 0.3;
  d.options.list = space::ListKind::half;
  d.options.rebuild = space::RebuildPolicy::every;
  d.options.rebuild_every = 20;
  d.options.sort_rows = true;
  d.options.sort_every = 50;  // LAMMPS' atom_modify sort: every 1000 steps = 50 builds of 20
  return d;
}

struct Lattice {
  int nx, ny, nz;
  double spacing;
  std::uint64_t atoms() const { return 4ull * nx * ny * nz; }
  space::Box<3> box() const {
    // LAMMPS' region block 0 n: the upper bound is n lattice spacings (one multiplication).
    return space::Box<3>({nx * spacing, ny * spacing, nz * spacing}, {true, true, true});
  }
};

Lattice lattice_of(const engine::ConfigValue& p) {
  return {static_cast<int>(p.at("nx").as_int()), static_cast<int>(p.at("ny").as_int()),
          static_cast<int>(p.at("nz").as_int()), lj::fcc_spacing(p.at("density").as_real())};
}

class LjMelt final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::ConfigValue& p = setup.parameters;
    const Lattice lattice = lattice_of(p);
    const space::ContinuousSpaceSettings settings =
        space::continuous_settings(*setup.space, lj_space_defaults());
    dt_ = p.at("dt").as_real();
    partitions_ = static_cast<std::size_t>(p.at("force_partitions").as_int());
    log_thermo_ = p.at("log_thermo").as_bool();
    kernel_ = p.at("pair_kernel").as_string() == "portable" ? lj::PairKernel::portable
                                                            : lj::PairKernel::fastest;
    metrics_every_ = std::max<std::uint64_t>(1, setup.metrics_every);
    last_step_ = setup.last_step;
    lj_.cut2 = settings.options.cutoff * settings.options.cutoff;

    world.set_phases({"step"});
    // Atoms never carry data of their own beyond their columns: no per-agent ledger (9 B each).
    engine::PopulationOptions atoms = setup.population("atoms").options;
    atoms.agent_ledger = false;
    pop_ = &world.add_population("atoms", atoms);
    x_ = pop_->add_component<Vec3>("position");
    v_ = pop_->add_component<Vec3>("velocity");
    x_built_ = pop_->add_component<Vec3>("build_position");
    space_ = std::make_unique<ContinuousSpace<3>>(*pop_, x_, lattice.box(), settings.options,
                                                  world.accountant());
    // The positions of the last list build travel with each atom (migrations, checkpoints), so
    // a resumed run, on any rank count, rebuilds the very lists the saved run had.
    space_->keep_build_positions(x_built_);
    buffers_.emplace(world.accountant(), *pop_);
    ranks_ = &world.ranks();
    if (ranks_->size() > 1) {
      halo_ = std::make_unique<distributed::HaloExchange<3>>(*pop_, x_);
      space_->set_displacement_reduction([ranks = ranks_](double moved2) {
        double m = 0;
        for (double v : engine::gather_values(*ranks, moved2))
          m = std::max(m, v);
        return m;
      });
    }

    create_atoms(world, p, lattice);
    // Setup: neighbour list and forces of the initial state (the step-0 thermo needs them).
    space_->update(space::TaskRunner::of(world), [this] { exchange_halo(); });
    compute_forces(world, world.step(), true);

    world.add_system("initial_integrate", "step", *pop_,
                     [this](BlockContext& ctx, Row b, Row e) { initial_integrate(ctx, b, e); });
    world.add_system("neighbours", "step", [this](engine::World& w, std::uint64_t) {
      const space::TaskRunner run = space::TaskRunner::of(w);
      const bool rebuilt = space_->update(run, [&] {
        // The partitions' forces are rewritten from zero after the build anyway: freed across
        // it, they leave room for the build's scratch (at 1M atoms, 48 B per atom of the peak).
        buffers_->release();
        wrap_positions(w);
        exchange_halo();
      });
      if (halo_ && !rebuilt) halo_->forward(space_->ghost_positions(), *ranks_);
      space_->refresh_points();
    });
    world.add_system("forces", "step", [this](engine::World& w, std::uint64_t) {
      compute_forces(w, w.step() + 1, true);  // the step's end is the next step's state
    });
    world.add_system("final_integrate", "step", *pop_,
                     [this](BlockContext& ctx, Row b, Row e) { final_integrate(ctx, b, e); });
  }

  std::vector<std::string> metric_names() const override {
    return {"temp", "e_pair", "e_mol", "tot_eng", "press"};
  }

  std::vector<double> metrics(engine::World& world) override {
    const auto v = pop_->column(v_);
    std::atomic<bool> overflow = false;
    const lj::Int128 mv2 = world.reduce(
        pop_->size(), lj::Int128{0},
        [&](Row b, Row e) {
          lj::Int128 s = 0;
          bool o = false;
          for (Row r = b; r < e; ++r)
            s += lj::to_fixed((v[r][0] * v[r][0] + v[r][1] * v[r][1] + v[r][2] * v[r][2]) * 1.0,
                              lj::kSumUnit, o);
          if (o) overflow = true;  // main-thread read after the reduction; any writer says so
          return s;
        },
        [](lj::Int128 a, lj::Int128 b) { return a + b; });
    if (overflow) throw std::overflow_error("lj_melt: an atom's speed left the fixed-point range");
    // Over all ranks: integer sums, so the same bits on any rank count.
    const lj::PairSums& mine = sums_at(world.step(), space::TaskRunner::of(world));
    lj::PairSums sums;
    sums.energy2 = engine::sum_over_ranks(*ranks_, mine.energy2);
    sums.virial2 = engine::sum_over_ranks(*ranks_, mine.virial2);
    const lj::Thermo t =
        lj::thermo(lj::from_fixed(engine::sum_over_ranks(*ranks_, mv2), lj::kSumUnit),
                   lj::pair_energy(sums), lj::pair_virial(sums),
                   engine::sum_over_ranks(*ranks_, static_cast<std::uint64_t>(pop_->size())),
                   space_->box().volume());
    if (log_thermo_ && ranks_->rank() == 0) {
      if (!header_logged_) std::clog << lj::thermo_header() << '\n';
      header_logged_ = true;
      std::clog << lj::thermo_line(world.step(), t) << '\n';
    }
    return {t.temp, t.e_pair, t.e_mol, t.tot_eng, t.press};
  }

  // A portable checkpoint (the engine saves the atoms, with their build positions): the list
  // policy's counters and the pair sums over all ranks, the same bytes on any rank count.
  void save(const engine::World& world, engine::CheckpointWriter& out) const override {
    const space::BuildCounters c = space_->counters();
    out.put(c.builds);
    out.put(c.since_build);
    out.put(c.fell_back);
    const lj::PairSums& mine = sums_at(world.step(), space::TaskRunner::serial());
    out.put(engine::sum_over_ranks(*ranks_, mine.energy2));
    out.put(engine::sum_over_ranks(*ranks_, mine.virial2));
  }

  // Every rank holds every atom: keep those owned at the last build (positions are wrapped and
  // atoms migrate only at builds), by a bisection of those positions for this rank count, then
  // rebuild the lists of that build.
  void load(engine::World& world, engine::CheckpointReader& in) override {
    space::require_finite<3>(*pop_, x_, "position");
    space::require_finite<3>(*pop_, v_, "velocity");
    space::require_finite<3>(*pop_, x_built_, "build position");
    space::BuildCounters c;
    c.builds = in.get<std::uint64_t>("list builds");
    c.since_build = in.get<std::uint32_t>("steps since the last list build");
    c.fell_back = in.get<bool>("list fallback flag");
    const auto energy2 = in.get<lj::Int128>("pair energy");
    const auto virial2 = in.get<lj::Int128>("pair virial");
    sums_ = {};
    if (ranks_->rank() == 0) sums_.energy2 = energy2, sums_.virial2 = virial2;  // summed over ranks
    sums_step_ = world.step();
    if (ranks_->size() > 1) {
      const auto built = pop_->column(x_built_);
      decomposition_ = std::make_unique<distributed::BoxDecomposition<3>>(
          distributed::BoxDecomposition<3>::bisect(space_->box(), built, ranks_->size()));
      for (Row r = static_cast<Row>(pop_->size()); r-- > 0;)
        if (decomposition_->owner(pop_->column(x_built_)[r]) != ranks_->rank())
          pop_->destroy(pop_->id_at(r));
    }
    space_->restore_build(c, space::TaskRunner::of(world), [this] {
      if (halo_) space_->set_ghosts(halo_->rebuild(*decomposition_, space_->range(), *ranks_));
    });
    if (halo_) halo_->forward(space_->ghost_positions(), *ranks_);
    // The saved step's forces, which the next step starts from: a function of the positions
    // alone (fixed-point sums), so the same bits the saving run held.
    compute_forces(world, world.step(), false);
  }

  void release(engine::World&) override {
    if (buffers_) buffers_->release();
    halo_.reset();
    space_.reset();
  }

 private:
  // The forces are read from the partitions' fixed-point sums where they are needed, not kept
  // in a column of their own: 24 B per atom less (the same arithmetic, so the same bits).
  void initial_integrate(BlockContext& ctx, Row begin, Row end) const {
    auto x = ctx.population.column(x_);
    auto v = ctx.population.column(v_);
    const double dtf = 0.5 * dt_ * 1.0, dtfm = dtf / 1.0;  // fix nve: ftm2v = mass = 1
    for (Row r = begin; r < end; ++r) {
      const Vec3 f = lj::force_of(buffers_->partitions(), r);
      for (int a = 0; a < 3; ++a) {
        v[r][a] += dtfm * f[a];
        x[r][a] += dt_ * v[r][a];
      }
    }
  }

  void final_integrate(BlockContext& ctx, Row begin, Row end) const {
    auto v = ctx.population.column(v_);
    const double dtfm = 0.5 * dt_ * 1.0 / 1.0;
    for (Row r = begin; r < end; ++r) {
      const Vec3 f = lj::force_of(buffers_->partitions(), r);
      for (int a = 0; a < 3; ++a)
        v[r][a] += dtfm * f[a];
    }
  }

  // The lattice and its velocities, then into the columns; the temporaries are gone before the
  // neighbour list is built (at 1M atoms they are 48 MB of the peak). Every rank computes the
  // whole lattice (the velocities depend on all of it) and keeps the atoms of its region; an
  // atom's uid is its lattice index on any rank count.
  void create_atoms(engine::World& world, const engine::ConfigValue& p, const Lattice& lattice) {
    const std::vector<Vec3> positions =
        lj::fcc_positions(lattice.nx, lattice.ny, lattice.nz, lattice.spacing);
    const std::vector<Vec3> velocities =
        lj::create_velocities(positions, p.at("temperature").as_real(),
                              static_cast<std::int32_t>(p.at("velocity_seed").as_int()));
    decomposition_ = std::make_unique<distributed::BoxDecomposition<3>>(
        distributed::BoxDecomposition<3>::bisect(space_->box(), positions, ranks_->size()));
    const int self = ranks_->rank();
    if (ranks_->size() == 1) pop_->reserve(positions.size());
    for (std::size_t i = 0; i < positions.size(); ++i) {
      if (decomposition_->owner(positions[i]) != self) continue;
      const Row r = pop_->row_of(pop_->create_with_uid(i));
      pop_->column(x_)[r] = positions[i];
      pop_->column(v_)[r] = velocities[i];
    }
    world.set_next_uid(positions.size());
  }

  // At each rebuild of a distributed run (positions wrapped): atoms that left this rank's region
  // move to their owner, then the ghosts within range of the region are exchanged.
  void exchange_halo() {
    if (!halo_) return;
    distributed::migrate<3>(*pop_, x_, *decomposition_, *ranks_);
    space_->set_ghosts(halo_->rebuild(*decomposition_, space_->range(), *ranks_));
  }

  // Positions back into [0, L) as LAMMPS' Domain::pbc does, at rebuild steps only.
  void wrap_positions(engine::World& world) {
    auto x = pop_->column(x_);
    const space::Box<3>& box = space_->box();
    world.for_each_block(x.size(), [&](std::size_t block, std::size_t) {
      const std::size_t b = block * engine::kBlockRows,
                        e = std::min(x.size(), b + engine::kBlockRows);
      for (std::size_t r = b; r < e; ++r)
        box.wrap(x[r]);
    });
  }

  // The forces of the points as they are now, the state of step `step`, into the partitions
  // (the integrators read them from there); with `sums_due`, the energy and virial too when
  // `step` records metrics.
  void compute_forces(engine::World& world, std::uint64_t step, bool sums_due) {
    const std::span<const Vec3> points = space_->points();  // the rows, then any ghosts
    const std::size_t n = points.size();
    const space::TaskRunner run = space::TaskRunner::of(world);
    const auto parts = buffers_->partitions(partitions_, n);
    // Without a list the fastest pass reads the coordinates (now and at the build) in bin order,
    // as floats.
    const std::span<const float> binned = buffers_->binned(
        kernel_ == lj::PairKernel::fastest && lj::wants_bin_coordinates(*space_, n),
        space_->cells(), points, built(), run);
    const bool report = sums_due && (step % metrics_every_ == 0 || step == last_step_);
    const std::optional<lj::PairSums> sums = lj::pair_forces(
        *space_, points, pop_->size(), lj_, parts, run, report, kernel_, {built(), binned});
    if (!sums_due) return;
    sums_step_ = sums ? std::optional(step) : std::nullopt;
    if (sums) sums_ = *sums;
  }

  const lj::PairSums& sums_at(std::uint64_t step, const space::TaskRunner& run) const {
    if (sums_step_ != step) {
      sums_ =
          lj::pair_sums(*space_, space_->points(), pop_->size(), lj_, partitions_, run, built());
      sums_step_ = step;
    }
    return sums_;
  }

  // Each atom's position at the last build, for the forces pass without a list (which keeps
  // the very pairs the list would hold): the rows' build positions, none with ghosts.
  std::span<const Vec3> built() const {
    if (space_->uses_list() || space_->has_ghosts()) return {};
    return pop_->column(x_built_);
  }

  engine::Population* pop_ = nullptr;
  Component<Vec3> x_, v_, x_built_;
  std::unique_ptr<ContinuousSpace<3>> space_;
  const engine::RankGroup* ranks_ = nullptr;
  std::unique_ptr<distributed::BoxDecomposition<3>> decomposition_;
  std::unique_ptr<distributed::HaloExchange<3>> halo_;  // distributed runs only
  std::optional<lj::ForceBuffers> buffers_;
  lj::LennardJones lj_;
  // This rank's energy and virial of step sums_step_ (nullopt: not computed for the current
  // state). Filled on demand for a step the forces pass did not foresee (a checkpoint or early
  // end at another step); the same bits either way.
  mutable lj::PairSums sums_;
  mutable std::optional<std::uint64_t> sums_step_;
  std::uint64_t metrics_every_ = 1;
  lj::PairKernel kernel_ = lj::PairKernel::fastest;
  std::uint64_t last_step_ = 0;
  double dt_ = 0.005;
  std::size_t partitions_ = 2;
  bool log_thermo_ = true;
  bool header_logged_ = false;
};

void check_lj_melt(const engine::ModelSetup& setup, std::uint64_t) {
  const Lattice lattice = lattice_of(setup.parameters);
  const engine::PopulationSetup& atoms = setup.population("atoms");
  if (atoms.size != lattice.atoms())
    throw engine::ConfigError(
        setup.parameters.at("nx").location(), "populations.atoms.size",
        "4 * nx * ny * nz = " + std::to_string(lattice.atoms()) + " (one atom per fcc site)",
        std::to_string(atoms.size));
  const auto settings = space::continuous_settings(*setup.space, lj_space_defaults());
  const double range = settings.options.cutoff + settings.options.skin;
  const int cells[3] = {lattice.nx, lattice.ny, lattice.nz};
  for (int a = 0; a < 3; ++a)
    if (2 * range > cells[a] * lattice.spacing)
      throw engine::ConfigError(setup.space->at("cutoff").location(), "space.cutoff",
                                "cutoff + skin at most half the box (" +
                                    std::to_string(0.5 * cells[a] * lattice.spacing) + ")",
                                std::to_string(range));
}

}  // namespace

void register_lj_melt(engine::ModelRegistry& registry) {
  engine::ModelInfo info{
      "lj_melt",
      "LAMMPS' Lennard-Jones benchmark: an fcc crystal at reduced density 0.8442 melting under "
      "12-6 LJ forces (cut at 2.5, unshifted), velocity Verlet, half Verlet lists with a skin; "
      "reproduces LAMMPS' thermo output digit for digit.",
      {{.name = "atoms",
        .default_size = 32000,
        .help = "the atoms: 4 per fcc unit cell, so 4 * nx * ny * nz",
        // position, velocity and build position (3 x 24 B), two force partitions' partials
        .min_bytes_per_agent = 3 * 24 + 2 * 24}},
      ParamSpec::object(
          "parameters",
          {ParamSpec::integer("nx", 20, "fcc unit cells along x").range(1, 1000),
           ParamSpec::integer("ny", 20, "fcc unit cells along y").range(1, 1000),
           ParamSpec::integer("nz", 20, "fcc unit cells along z").range(1, 1000),
           ParamSpec::real("density", 0.8442, "reduced number density (lattice fcc)")
               .range(1e-3, 10),
           ParamSpec::real("temperature", 1.44, "initial temperature (velocity create)")
               .range(1e-9, 1e6),
           ParamSpec::integer("velocity_seed", 87287, "seed of LAMMPS' loop geom velocities")
               .range(1, 2147483646),
           ParamSpec::real("dt", 0.005, "time step (tau)").range(1e-9, 1),
           ParamSpec::integer("force_partitions", 2,
                              "force arrays (threads beyond it idle in forces); results do not "
                              "depend on it, nor on the thread or rank count")
               .range(1, 64),
           ParamSpec::choice("pair_kernel", "fastest", {"fastest", "portable"},
                             "the forces pass: the fastest this CPU runs (AVX-512 where it has "
                             "it) or the portable one; both give the same bits"),
           ParamSpec::boolean("log_thermo", true, "print each thermo row to stderr")},
          "lj_melt parameters"),
      [] { return std::make_unique<LjMelt>(); }};
  info.check = check_lj_melt;
  info.space = space::continuous_space_schema(lj_space_defaults(), space::BoxKeys::from_model);
  info.distributed = true;
  registry.add(std::move(info));
}

}  // namespace cohort::models
