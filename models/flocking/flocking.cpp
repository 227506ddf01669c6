#include "flocking.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/space/continuous/continuous_settings.hpp"
#include "cohort/space/continuous/finite_values.hpp"
#include "flock.hpp"

namespace cohort::models {

namespace {

using engine::ConfigValue;
using engine::ParamSpec;
using flocking::Flock;
using flocking::FlockRules;
using flocking::FlockSchedule;
using flocking::NeighbourSearch;

// The `space:` block: a periodic 2-D box, the visual distance as the space's cutoff, the bin
// width of exact queries and the search variant. The continuous schema's list, rebuild and
// sorting keys do not apply (the bins follow every move), so they are left out.
ParamSpec flocking_space_schema() {
  space::ContinuousSpaceSettings d;
  d.dimensions = 2;
  d.box = {100, 100, 0};
  d.options.cutoff = 5;
  ParamSpec spec = space::continuous_space_schema(d);
  std::erase_if(spec.fields, [](const ParamSpec& f) {
    return f.name != "kind" && f.name != "box" && f.name != "cutoff" && f.name != "cell_size" &&
           f.name != "query";
  });
  for (ParamSpec& f : spec.fields) {
    if (f.name == "box") {
      f.minimum = f.maximum = 2;
      f.help = "box lengths E_x, E_y (2-D, periodic on both axes)";
    } else if (f.name == "cutoff") {
      f.help = "a bird's visual distance r (inclusive)";
    } else if (f.name == "cell_size") {
      f.help = "bin width of the exact search; 0 = r / 2 (cells_only always uses r / 1.5)";
    } else if (f.name == "query") {
      f.help =
          "neighbours: exact (every bird within r; canonical) or cells_only (Agents.jl's "
          "default approximate search: all birds in a disc of bins, no distance filter)";
    }
  }
  spec.help = "the periodic box the birds fly in";
  return spec;
}

space::Box<2> box_of(const ConfigValue& space) {
  const auto& box = space.at("box").items();
  return space::Box<2>({box[0].as_real(), box[1].as_real()}, {true, true});
}

FlockRules rules_of(const engine::ModelSetup& setup) {
  const ConfigValue& p = setup.parameters;
  FlockRules r;
  r.speed = p.at("speed").as_real();
  r.cohere_factor = p.at("cohere_factor").as_real();
  r.separation = p.at("separation").as_real();
  r.separate_factor = p.at("separate_factor").as_real();
  r.match_factor = p.at("match_factor").as_real();
  r.visual_distance = setup.space->at("cutoff").as_real();
  r.cell_size = setup.space->at("cell_size").as_real();
  r.search = setup.space->at("query").as_string() == "exact" ? NeighbourSearch::exact
                                                             : NeighbourSearch::cells_only;
  r.schedule = p.at("schedule").as_string() == "simultaneous" ? FlockSchedule::simultaneous
                                                              : FlockSchedule::random;
  return r;
}

// A run over several ranks needs the simultaneous schedule and the exact search.
void check_ranks(const engine::ModelSetup& setup, const FlockRules& rules, int ranks) {
  if (ranks == 1) return;
  if (rules.schedule != FlockSchedule::simultaneous) {
    const ConfigValue& schedule = setup.parameters.at("schedule");
    throw engine::ConfigError(
        schedule.location(), schedule.path(),
        "simultaneous on " + std::to_string(ranks) +
            " ranks, as configs/flocking_distributed.yaml sets (random activates one bird at a "
            "time in one global order: run it on one rank)",
        schedule.as_string());
  }
  if (rules.search != NeighbourSearch::exact) {
    const ConfigValue& query = setup.space->at("query");
    throw engine::ConfigError(
        query.location(), query.path(),
        "exact on " + std::to_string(ranks) + " ranks (cells_only reaches birds beyond the halo)",
        query.as_string());
  }
}

// The random schedule's activation order is a shuffle of the rows, and the bins list a bin's
// birds in row order, so a resume must put the rows back in the order they had: the portable
// checkpoint restores them in uid order. Throws CheckpointError unless `uids` names each bird
// once.
void restore_row_order(engine::Population& birds, std::span<const engine::Uid> uids) {
  if (uids.size() != birds.size())
    throw engine::CheckpointError("checkpoint is corrupt: flocking's row order lists " +
                                  std::to_string(uids.size()) + " birds for " +
                                  std::to_string(birds.size()));
  std::vector<std::pair<engine::Uid, engine::Row>> rows(birds.size());
  for (engine::Row r = 0; r < birds.size(); ++r)
    rows[r] = {birds.uid_at(r), r};
  std::sort(rows.begin(), rows.end());
  std::vector<engine::Row> order(uids.size());
  std::vector<bool> taken(uids.size(), false);
  for (std::size_t i = 0; i < uids.size(); ++i) {
    const auto it =
        std::lower_bound(rows.begin(), rows.end(), std::pair<engine::Uid, engine::Row>{uids[i], 0});
    if (it == rows.end() || it->first != uids[i] || taken[it->second])
      throw engine::CheckpointError("checkpoint is corrupt: flocking's row order names uid " +
                                    std::to_string(uids[i]) + " at row " + std::to_string(i) +
                                    ", which is no bird or was named before");
    taken[it->second] = true;
    order[i] = it->second;
  }
  birds.permute(order);
}

class Flocking final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::PopulationSetup& birds = setup.population("birds");
    const FlockRules rules = rules_of(setup);
    check_ranks(setup, rules, world.ranks().size());
    world.set_phases({"move"});
    engine::Population& pop = world.add_population("birds", birds.options);
    flock_.emplace(world, pop, box_of(*setup.space), rules);
    flock_->populate(world, birds.size);
    // Random activation, one bird at a time, each seeing the birds moved before it (Agents.jl's
    // random scheduler); or the simultaneous schedule.
    flock_->add_activation(world, "move");
  }

  std::vector<std::string> metric_names() const override {
    return {"polarisation", "mean_nn_distance", "mean_neighbours"};
  }
  std::vector<double> metrics(engine::World& world) override {
    const flocking::FlockStats s = flock_->stats(world);
    return {s.polarisation, s.mean_nn_distance, s.mean_neighbours};
  }
  // The state is the position and velocity columns, which the engine checkpoints (in the
  // portable layout: flocking runs over ranks), and under the random schedule the rows' order.
  // The bins are a function of the positions (kept equal to a rebuild after every move), so
  // they are rebuilt rather than stored; so are the halo and the region a rank owns.
  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    if (flock_->rules().schedule != FlockSchedule::random) return;
    const engine::Population& birds = flock_->birds();
    std::vector<engine::Uid> uids(birds.size());
    for (engine::Row r = 0; r < birds.size(); ++r)
      uids[r] = birds.uid_at(r);
    out.put_vector(uids);
  }
  void load(engine::World&, engine::CheckpointReader& in) override {
    space::require_wrapped<2>(flock_->birds(), flock_->position(), flock_->box(), "position");
    space::require_finite<2>(flock_->birds(), flock_->velocity(), "velocity");
    if (flock_->rules().schedule == FlockSchedule::random)
      restore_row_order(flock_->birds(), in.get_vector<engine::Uid>("flocking row order"));
    flock_->keep_own_region();  // every rank holds every bird now
    flock_->rebin();
  }
  void release(engine::World&) override { flock_.reset(); }

 private:
  std::optional<Flock> flock_;
};

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

void check(const engine::ModelSetup& setup, std::uint64_t) {
  const ConfigValue& space = *setup.space;
  const ConfigValue& cutoff = space.at("cutoff");
  const space::Box<2> box = box_of(space);
  const double r = cutoff.as_real();
  const double shortest = std::min(box.length(0), box.length(1));
  if (2 * r > shortest)
    throw engine::ConfigError(cutoff.location(), cutoff.path(),
                              "at most half the shortest box length, " + number(0.5 * shortest) +
                                  " (the minimum image would be ambiguous)",
                              number(r));
  // Agents.jl's disc of bins reaches R = ceil((r + delta) / s) <= 3 bins (delta <= s / sqrt(2)),
  // so round(L / s) >= 7 bins per axis keep it from wrapping onto itself: r <= 1.5 L / 6.5.
  if (space.at("query").as_string() == "cells_only" && r > 1.5 * shortest / 6.5)
    throw engine::ConfigError(cutoff.location(), cutoff.path(),
                              "at most " + number(1.5 * shortest / 6.5) +
                                  " for query cells_only (7 bins of r / 1.5 across the box)",
                              number(r));
}

}  // namespace

void register_flocking(engine::ModelRegistry& registry) {
  engine::ModelInfo info{
      "flocking",
      "Flocking / Boids (classic ABM comparison): birds in a periodic 2-D box, in random order "
      "each steers by cohesion, separation and alignment with the birds within its visual "
      "distance, normalises its velocity and moves one unit.",
      {{.name = "birds",
        .default_size = 200,
        .help = "the birds",
        .min_bytes_per_agent = 2 * 16}},  // position and velocity
      ParamSpec::object(
          "parameters",
          {ParamSpec::real("speed", 1.0, "distance a bird moves per activation").min(0),
           ParamSpec::real("cohere_factor", 0.03, "weight of the summed headings to neighbours"),
           ParamSpec::real("separation", 1.0, "birds closer than this push apart (strict)").min(0),
           ParamSpec::real("separate_factor", 0.015, "weight of the summed push-aways"),
           ParamSpec::real("match_factor", 0.05, "weight of the summed neighbour velocities"),
           ParamSpec::choice("schedule", "random", {"random", "simultaneous"},
                             "random (canonical): one bird at a time in a fresh random order, "
                             "each seeing those before it moved; simultaneous: every bird steers "
                             "from the step's start, then all move (runs over MPI ranks)")},
          "Flocking parameters (the spec's bird constants)"),
      [] { return std::make_unique<Flocking>(); }};
  info.space = flocking_space_schema();
  info.check = check;
  // With the simultaneous schedule the flock decomposes its box over MPI ranks.
  info.distributed = true;
  registry.add(std::move(info));
}

}  // namespace cohort::models
