// A complete custom model on the cohort engine: a component, a system and a metric.
#include <cohort/engine/world.hpp>
#include <cstdio>

using namespace cohort::engine;

struct Wallet {  // a component: plain data, stored column-wise
  double cash;
  double spend_rate;
};

int main() {
  World world(WorldOptions{.seed = 7, .threads = 2});
  Population& savers = world.add_population("savers", {.agent_ledger = false});
  const Component<Wallet> wallet = savers.add_component<Wallet>("wallet");
  for (int i = 0; i < 100000; ++i) {
    const AgentId id = savers.create();  // may grow the columns: take spans after creating
    savers.column(wallet)[savers.row_of(id)] = {100.0, 0.05 + 0.1 * (i % 3)};
  }

  // The system: every saver earns a random income and spends a share of its cash. It runs in
  // parallel over blocks of rows; the random stream is keyed by agent and step, not by thread.
  world.add_system("earn_and_spend", "update", savers, [wallet](BlockContext& ctx, Row b, Row e) {
    auto w = ctx.population.column(wallet);
    for (Row r = b; r < e; ++r) {
      RandomStream rng = ctx.rng(ctx.population.uid_at(r), 0);
      w[r].cash += rng.uniform(0.0, 10.0) - w[r].spend_rate * w[r].cash;
    }
  });

  // The metric: mean cash, reduced block by block in a fixed order (same result on any threads).
  auto mean_cash = [&] {
    const auto w = savers.column(wallet);
    const double total = world.reduce(
        savers.size(), 0.0,
        [&](Row b, Row e) {
          double sum = 0;
          for (Row r = b; r < e; ++r)
            sum += w[r].cash;
          return sum;
        },
        [](double x, double y) { return x + y; });
    return total / static_cast<double>(savers.size());
  };

  for (int step = 1; step <= 100; ++step) {
    world.run_step();
    if (step % 25 == 0) std::printf("step %3d  mean cash %.6f\n", step, mean_cash());
  }
}
