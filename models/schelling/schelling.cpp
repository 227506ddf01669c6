#include "schelling.hpp"

#include <memory>
#include <optional>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/world.hpp"
#include "segregation.hpp"

namespace cohort::models {

namespace {

using engine::ParamSpec;
using schelling::Segregation;

space::GridSpaceSettings default_space() {
  space::GridSpaceSettings s;
  s.dimensions = {40, 40};
  s.periodic = {false, false};
  s.occupancy = space::Occupancy::single;
  s.neighbourhood = space::NeighbourhoodSpec::moore(1);
  return s;
}

class Schelling final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::ConfigValue& p = setup.parameters;
    schelling::SegregationSettings s;
    s.min_to_be_happy = static_cast<std::uint32_t>(p.at("min_to_be_happy").as_int());
    s.split = p.at("group_split").as_string() == "even" ? schelling::GroupSplit::even
                                                        : schelling::GroupSplit::agents_jl;
    const engine::PopulationSetup& agents = setup.population("agents");
    world.set_phases({"move"});
    engine::Population& pop = world.add_population("agents", agents.options);
    model_.emplace(world, pop, space::grid_settings(*setup.space), s);
    model_->populate(world, agents.size);
    // Random activation, one agent at a time, each seeing the moves of those before it
    // (Agents.jl's random scheduler).
    world.add_system("activate", "move", [this](engine::World& w, std::uint64_t step) {
      moved_ = model_->step(w, step);
    });
  }

  std::vector<std::string> metric_names() const override {
    return {"moved", "happy", "same_share"};
  }
  std::vector<double> metrics(engine::World& world) override {
    const schelling::SegregationStats s = model_->stats(world);
    const double n = static_cast<double>(model_->agents().size());
    return {n > 0 ? static_cast<double>(moved_) / n : 0.0, s.happy, s.same_share};
  }
  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    out.put(moved_);
    model_->grid().save(out);
  }
  void load(engine::World&, engine::CheckpointReader& in) override {
    moved_ = in.get<std::uint64_t>("agents moved in the last step");
    model_->grid().load(in);
    model_->sync_cells();
  }
  void release(engine::World&) override { model_.reset(); }

 private:
  std::optional<Segregation> model_;
  std::uint64_t moved_ = 0;
};

void check(const engine::ModelSetup& setup, std::uint64_t) {
  const space::GridSpaceSettings grid = space::grid_settings(*setup.space);
  const engine::ConfigValue& occupancy = setup.space->at("occupancy");
  if (grid.occupancy != space::Occupancy::single)
    throw engine::ConfigError(occupancy.location(), occupancy.path(), "single (one agent a cell)",
                              "multiple");
  const std::uint64_t agents = setup.population("agents").size;
  if (agents > grid.shape().cells()) {
    const engine::ConfigValue& dims = setup.space->at("dimensions");
    throw engine::ConfigError(dims.location(), dims.path(),
                              "at least one cell per agent (" + std::to_string(agents) + ")",
                              std::to_string(grid.shape().cells()) + " cells");
  }
}

}  // namespace

void register_schelling(engine::ModelRegistry& registry) {
  engine::ModelInfo info{
      "schelling",
      "Schelling segregation (classic ABM comparison): two groups on a bounded grid, one agent "
      "per cell; in random order each agent with fewer than min_to_be_happy same-group "
      "neighbours moves to a random empty cell.",
      {{.name = "agents", .default_size = 1000, .help = "the agents (two groups)"}},
      ParamSpec::object(
          "parameters",
          {ParamSpec::integer("min_to_be_happy", 3, "same-group neighbours an agent needs to stay")
               .range(0, 1000000),
           ParamSpec::choice("group_split", "agents_jl", {"agents_jl", "even"},
                             "agent n of K is in group 1 if n < K/2 (Agents.jl, 499/501) or "
                             "n <= K/2 (even, 500/500)")},
          "Schelling parameters"),
      [] { return std::make_unique<Schelling>(); }};
  info.space = space::grid_space_schema(default_space());
  info.check = check;
  registry.add(std::move(info));
}

}  // namespace cohort::models
