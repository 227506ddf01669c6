// The "savings" model: a component, a system, metrics and parameters, registered by name.
#include "savings.hpp"

#include <cohort/engine/world.hpp>

#include <memory>

using namespace cohort::engine;

namespace {

struct Wallet {  // a component: plain data, stored column-wise
  double cash;
};

class Savings final : public Model {
 public:
  void build(World& world, const ModelSetup& setup) override {
    income_ = setup.parameters.at("income").as_real();
    spend_rate_ = setup.parameters.at("spend_rate").as_real();
    const PopulationSetup& savers = setup.population("savers");
    pop_ = &world.add_population("savers", savers.options);
    wallet_ = pop_->add_component<Wallet>("wallet");
    for (std::uint64_t i = 0; i < savers.size; ++i) {
      const AgentId id = pop_->create();  // may grow the columns: take spans after creating
      pop_->column(wallet_)[pop_->row_of(id)] = {100.0};
    }
    // Every saver earns a random income and spends a share of its cash, in parallel over blocks
    // of rows; the random stream is keyed by agent and step, not by thread.
    world.add_system("earn_and_spend", "update", *pop_, [this](BlockContext& ctx, Row b, Row e) {
      auto w = ctx.population.column(wallet_);
      const auto uids = ctx.population.uids();
      for (Row r = b; r < e; ++r) {
        RandomStream rng = ctx.rng(uids[r], 0);
        w[r].cash += rng.uniform(0.0, 2 * income_) - spend_rate_ * w[r].cash;
      }
    });
  }

  std::vector<std::string> metric_names() const override { return {"savers", "mean_cash"}; }

  std::vector<double> metrics(World& world) override {
    const auto w = pop_->column(wallet_);
    const double total = world.reduce(
        pop_->size(), 0.0,
        [&](Row b, Row e) {
          double sum = 0;
          for (Row r = b; r < e; ++r)
            sum += w[r].cash;
          return sum;
        },
        [](double x, double y) { return x + y; });
    const double n = static_cast<double>(pop_->size());
    return {n, n > 0 ? total / n : 0.0};
  }

 private:
  double income_ = 0;
  double spend_rate_ = 0;
  Population* pop_ = nullptr;
  Component<Wallet> wallet_{};
};

}  // namespace

void register_savings(ModelRegistry& registry) {
  registry.add(ModelInfo{
      "savings",
      "Savers earn a uniform random income and spend a fixed share of their cash each step.",
      {{"savers", 1000, "the savers", 0}},
      ParamSpec::object(
          "parameters",
          {ParamSpec::real("income", 5.0, "mean income per step").min(0),
           ParamSpec::real("spend_rate", 0.05, "share of cash spent per step").range(0, 1)},
          "savings parameters"),
      [] { return std::make_unique<Savings>(); }});
}
