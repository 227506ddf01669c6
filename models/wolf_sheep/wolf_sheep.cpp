#include "wolf_sheep.hpp"

#include <memory>
#include <optional>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/world.hpp"
#include "ecosystem.hpp"

namespace cohort::models {

namespace {

using engine::ParamSpec;
using wolf_sheep::Ecosystem;
using wolf_sheep::kSheep;
using wolf_sheep::kWolf;

space::GridSpaceSettings default_space() {
  space::GridSpaceSettings s;
  s.dimensions = {25, 25};
  s.periodic = {false, false};
  s.occupancy = space::Occupancy::multiple;
  s.neighbourhood = space::NeighbourhoodSpec::moore(1);
  return s;
}

class WolfSheep final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::ConfigValue& p = setup.parameters;
    wolf_sheep::EcosystemSettings s;
    s.species[kSheep] = {p.at("sheep_gain").as_real(), p.at("sheep_reproduce").as_real()};
    s.species[kWolf] = {p.at("wolf_gain").as_real(), p.at("wolf_reproduce").as_real()};
    s.regrowth = static_cast<std::int32_t>(p.at("regrowth_time").as_int());
    s.random_type_order = p.at("type_order").as_string() == "random";
    const engine::PopulationSetup& sheep = setup.population("sheep");
    const engine::PopulationSetup& wolves = setup.population("wolves");
    world.set_phases({"step"});  // animals, then grass: one phase end per step
    // Animals hold no variable-size data, so they need no per-agent memory ledger (9 B an
    // animal, and a scattered write at every birth and death: measured a tenth of a 10x run).
    engine::PopulationOptions sheep_options = sheep.options, wolf_options = wolves.options;
    sheep_options.agent_ledger = wolf_options.agent_ledger = false;
    engine::Population& sp = world.add_population("sheep", sheep_options);
    engine::Population& wp = world.add_population("wolves", wolf_options);
    eco_.emplace(world, sp, wp, space::grid_settings(*setup.space), s);
    eco_->populate(world, sheep.size, wolves.size);
    world.add_system("animals", "step",
                     [this](engine::World& w, std::uint64_t step) { eco_->animals(w, step); });
    space::add_cell_system(
        world, "grass", "step", eco_->cells(),
        [this](space::CellIndex b, space::CellIndex e, std::uint64_t) { eco_->grow(b, e); });
  }

  std::vector<std::string> metric_names() const override {
    return {"sheep", "wolves", "grass", "sheep_births_refused", "wolf_births_refused"};
  }
  std::vector<engine::MetricKind> metric_kinds() const override {
    return std::vector<engine::MetricKind>(5, engine::MetricKind::count);
  }
  std::vector<double> metrics(engine::World& world) override {
    return {static_cast<double>(eco_->population(kSheep).size()),
            static_cast<double>(eco_->population(kWolf).size()),
            static_cast<double>(eco_->grass(world)),
            static_cast<double>(eco_->population(kSheep).refused_births()),
            static_cast<double>(eco_->population(kWolf).refused_births())};
  }
  void save(const engine::World&, engine::CheckpointWriter& out) const override { eco_->save(out); }
  void load(engine::World&, engine::CheckpointReader& in) override { eco_->load(in); }
  void release(engine::World&) override { eco_.reset(); }

 private:
  std::optional<Ecosystem> eco_;
};

void check(const engine::ModelSetup& setup, std::uint64_t) {
  const space::GridSpaceSettings grid = space::grid_settings(*setup.space);
  const engine::ConfigValue& occupancy = setup.space->at("occupancy");
  if (grid.occupancy != space::Occupancy::multiple)
    throw engine::ConfigError(occupancy.location(), occupancy.path(),
                              "multiple (any number of animals a cell)", "single");
  if (grid.dimensions.size() != 2) {
    const engine::ConfigValue& dims = setup.space->at("dimensions");
    throw engine::ConfigError(dims.location(), dims.path(), "a 2-D grid",
                              std::to_string(grid.dimensions.size()) + " dimensions");
  }
}

}  // namespace

void register_wolf_sheep(engine::ModelRegistry& registry) {
  engine::ModelInfo info{
      "wolf_sheep",
      "WolfSheep predator-prey with grass (classic ABM comparison): sheep and wolves random-walk "
      "on a bounded grid, pay one energy unit a step, eat (grass, sheep), starve and reproduce; "
      "eaten grass regrows after regrowth_time steps.",
      {{.name = "sheep", .default_size = 60, .help = "the sheep"},
       {.name = "wolves", .default_size = 40, .help = "the wolves"}},
      ParamSpec::object(
          "parameters",
          {ParamSpec::real("sheep_gain", 5, "energy a sheep gets from grass").range(0, 1e6),
           ParamSpec::real("wolf_gain", 13, "energy a wolf gets from a sheep").range(0, 1e6),
           ParamSpec::real("sheep_reproduce", 0.2, "reproduction probability of a sheep")
               .range(0, 1),
           ParamSpec::real("wolf_reproduce", 0.1, "reproduction probability of a wolf").range(0, 1),
           ParamSpec::integer("regrowth_time", 20, "steps eaten grass takes to regrow")
               .range(1, 1000000),
           ParamSpec::choice("type_order", "random", {"random", "sheep_first"},
                             "random: sheep-first or wolves-first drawn each step (Agents.jl, "
                             "canonical); sheep_first: always sheep then wolves (Mesa, MASON)")},
          "WolfSheep parameters"),
      [] { return std::make_unique<WolfSheep>(); }};
  info.space = space::grid_space_schema(default_space());
  info.check = check;
  registry.add(std::move(info));
}

}  // namespace cohort::models
