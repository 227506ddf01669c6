#include "forest_fire.hpp"

#include <memory>
#include <optional>

#include "cohort/engine/world.hpp"
#include "forest.hpp"

namespace cohort::models {

namespace {

using engine::ParamSpec;
using forest_fire::Forest;

space::GridSpaceSettings default_space() {
  space::GridSpaceSettings s;
  s.dimensions = {100, 100};
  s.periodic = {false, false};
  s.neighbourhood = space::NeighbourhoodSpec::von_neumann(1);
  return s;
}

class ForestFire final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::ConfigValue& p = setup.parameters;
    forest_fire::ForestSettings s;
    s.density = p.at("density").as_real();
    s.ignite_whole_column = p.at("left_column").as_string() == "all_cells";
    world.set_phases({"fire"});
    // The cells are the model; a population without agents owns (and is charged for) them.
    engine::Population& owner = world.add_population("forest", {.agent_ledger = false});
    forest_.emplace(world, owner, space::grid_settings(*setup.space), s);
    forest_->plant(world, owner.index());
    world.add_system("spread", "fire", [this](engine::World&, std::uint64_t) { forest_->step(); });
  }

  std::vector<std::string> metric_names() const override {
    return {"burnt_fraction", "burning", "burnt", "trees"};
  }
  std::vector<engine::MetricKind> metric_kinds() const override {
    using K = engine::MetricKind;
    return {K::real, K::count, K::count, K::count};
  }
  std::vector<double> metrics(engine::World&) override {
    return {forest_->burnt_fraction(), static_cast<double>(forest_->burning()),
            static_cast<double>(forest_->burnt()), static_cast<double>(forest_->trees())};
  }
  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    forest_->save(out);
  }
  void load(engine::World&, engine::CheckpointReader& in) override { forest_->load(in); }
  void release(engine::World&) override { forest_.reset(); }

 private:
  std::optional<Forest> forest_;
};

}  // namespace

void register_forest_fire(engine::ModelRegistry& registry) {
  engine::ModelInfo info{
      "forest_fire",
      "ForestFire (classic ABM comparison): a random forest on a grid, the trees of the left "
      "column burning; each step every green von Neumann neighbour of a burning tree ignites and "
      "burning trees burn out. No agents: the tree states are a cell layer of the grid space.",
      {},
      ParamSpec::object(
          "parameters",
          {ParamSpec::real("density", 0.7, "probability that a cell holds a tree").range(0, 1),
           ParamSpec::choice("left_column", "trees", {"trees", "all_cells"},
                             "what starts burning in the left column: its trees (Agents.jl, "
                             "Mesa; canonical) or all its cells (the declaration, NetLogo)")},
          "forest fire parameters"),
      [] { return std::make_unique<ForestFire>(); }};
  info.space = space::grid_space_schema(default_space());
  info.check = [](const engine::ModelSetup& setup, std::uint64_t) {
    (void)space::grid_settings(*setup.space);
  };
  registry.add(std::move(info));
}

}  // namespace cohort::models
