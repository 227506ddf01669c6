#include "test_models.hpp"

#include <cstdint>
#include <memory>

#include "cohort/engine/world.hpp"

namespace cohort::testing {

namespace {

enum class Shape { leaky, steady, tide };

class ChargingModel : public engine::Model {
 public:
  explicit ChargingModel(Shape shape) : shape_(shape) {}

  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::PopulationSetup& agents = setup.population("agents");
    half_ = static_cast<std::uint64_t>(setup.parameters.at("half").as_int());
    pop_ = &world.add_population("agents", agents.options);
    charged_ = pop_->add_component<std::uint32_t>("charged");
    tag_ = world.accountant().tags().intern("test_data");
    pop_->set_release([this](memory::ChargeContext& ctx, engine::Row row) {
      std::uint32_t& c = pop_->column(charged_)[row];
      if (c != 0) ctx.release(pop_->account(), row, tag_, c, c);
      c = 0;
    });
    memory::ChargeContext& ctx = world.accountant().context(0);
    for (std::uint64_t i = 0; i < agents.size; ++i) {
      const engine::Row row = pop_->row_of(pop_->create());
      if (ctx.charge(pop_->account(), row, tag_, 64, 64) == memory::ChargeStatus::ok)
        pop_->column(charged_)[row] = 64;
    }
    world.add_system(
        "charge", "update", *pop_,
        [this](engine::BlockContext& ctx, engine::Row b, engine::Row e) { step_block(ctx, b, e); });
  }

  std::vector<std::string> metric_names() const override { return {"agents"}; }
  std::vector<double> metrics(engine::World&) override {
    return {static_cast<double>(pop_->size())};
  }

 private:
  void step_block(engine::BlockContext& ctx, engine::Row begin, engine::Row end) const {
    if (shape_ == Shape::steady) return;
    const bool grow = shape_ == Shape::leaky || ctx.step < half_;
    auto charged = pop_->column(charged_);
    for (engine::Row r = begin; r < end; ++r) {
      if (grow) {
        if (ctx.memory.charge(pop_->account(), r, tag_, 8, 8) == memory::ChargeStatus::ok)
          charged[r] += 8;
      } else if (charged[r] > 64) {
        ctx.memory.release(pop_->account(), r, tag_, 8, 8);
        charged[r] -= 8;
      }
    }
  }

  Shape shape_;
  std::uint64_t half_ = 0;
  engine::Population* pop_ = nullptr;
  engine::Component<std::uint32_t> charged_{};
  memory::TagId tag_{};
};

engine::ModelInfo info(std::string name, Shape shape) {
  return {std::move(name),
          "monitor test model",
          {{"agents", 1000, "charged agents", 0}},
          engine::ParamSpec::object(
              "parameters",
              {engine::ParamSpec::integer("half", 100, "tide: step at which charging reverses")},
              "test parameters"),
          [shape] { return std::make_unique<ChargingModel>(shape); }};
}

}  // namespace

void register_monitor_test_models(engine::ModelRegistry& registry) {
  registry.add(info("leaky", Shape::leaky));
  registry.add(info("steady", Shape::steady));
  registry.add(info("tide", Shape::tide));
}

}  // namespace cohort::testing
