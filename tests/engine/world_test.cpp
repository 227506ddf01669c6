// The world: phases, parallel systems, deferred births and deaths, deterministic reductions.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "cohort/engine/world.hpp"

using namespace cohort::engine;

namespace {

struct Walker {
  double x;
  double energy;
};

// A small birth-death walk: each agent moves by N(0,1), loses energy, dies at zero and, when
// rich, spawns a child. Returns the final state keyed by id, and the reduced sum of x per step.
struct Outcome {
  std::map<Uid, std::pair<double, double>> agents;
  std::vector<double> sums;
  std::size_t births = 0;
  std::size_t deaths = 0;
};

Outcome run_walk(std::size_t threads, int steps = 30) {
  World world(WorldOptions{99, threads});
  world.set_phases({"move", "life"});
  Population& pop = world.add_population("walkers", {false, {}});
  const Component<Walker> walker = pop.add_component<Walker>("walker");
  for (int i = 0; i < 10000; ++i) {
    const AgentId id = pop.create();
    pop.column(walker)[pop.row_of(id)] = {0.0, 5.0};
  }
  std::atomic<std::size_t> births{0}, deaths{0};
  world.add_system("move", "move", pop, [&](BlockContext& ctx, Row begin, Row end) {
    auto w = ctx.population.column(walker);
    const auto uids = ctx.population.uids();
    for (Row r = begin; r < end; ++r) {
      RandomStream rng = ctx.rng(uids[r], 0);
      w[r].x += rng.normal();
      w[r].energy += rng.uniform(-1.2, 1.0);
    }
  });
  world.add_system("life", "life", pop, [&](BlockContext& ctx, Row begin, Row end) {
    auto w = ctx.population.column(walker);
    for (Row r = begin; r < end; ++r) {
      if (w[r].energy <= 0) {
        ctx.kill(ctx.population.index(), ctx.population.id_at(r), r);
        ++deaths;
      } else if (w[r].energy > 8) {
        w[r].energy /= 2;
        const Walker child = w[r];
        ctx.spawn(ctx.population.index(), r,
                  [walker, child](Population& p, Row row) { p.column(walker)[row] = child; });
        ++births;
      }
    }
  });
  Outcome out;
  for (int s = 0; s < steps; ++s) {
    world.run_step();
    const std::size_t n = pop.size();
    out.sums.push_back(world.reduce(
        n, 0.0,
        [&](Row b, Row e) {
          double acc = 0;
          for (Row r = b; r < e; ++r)
            acc += pop.column(walker)[r].x;
          return acc;
        },
        [](double a, double b) { return a + b; }));
  }
  for (Row r = 0; r < pop.size(); ++r)
    out.agents[pop.uid_at(r)] = {pop.column(walker)[r].x, pop.column(walker)[r].energy};
  out.births = births;
  out.deaths = deaths;
  return out;
}

}  // namespace

TEST_CASE("a run is bit-identical on 1, 2 and 3 threads, births and deaths included") {
  const Outcome one = run_walk(1);
  const Outcome two = run_walk(2);
  const Outcome three = run_walk(3);
  CHECK(one.births > 100);
  CHECK(one.deaths > 100);
  CHECK(one.births == two.births);
  CHECK(one.deaths == three.deaths);
  REQUIRE(one.agents.size() == two.agents.size());
  CHECK(std::memcmp(one.sums.data(), two.sums.data(), one.sums.size() * sizeof(double)) == 0);
  CHECK(std::memcmp(one.sums.data(), three.sums.data(), one.sums.size() * sizeof(double)) == 0);
  CHECK(one.agents == two.agents);
  CHECK(one.agents == three.agents);
}

TEST_CASE("phases run in order and deferred changes land at the phase end") {
  World world(WorldOptions{1, 2});
  world.set_phases({"a", "b"});
  Population& pop = world.add_population("p", {false, {}});
  pop.add_component<int>("v");
  for (int i = 0; i < 5000; ++i)
    pop.create();
  std::vector<std::string> log;
  std::size_t size_seen_in_a = 0;
  world.add_system("kill_all", "a", pop, [&](BlockContext& ctx, Row begin, Row end) {
    for (Row r = begin; r < end; ++r)
      ctx.commands.destroy(ctx.population.index(), ctx.population.id_at(r));
  });
  world.add_system("observe_a", "a", [&](World&, std::uint64_t) {
    log.push_back("observe_a");
    size_seen_in_a = pop.size();
  });
  world.add_system("observe_b", "b", [&](World&, std::uint64_t step) {
    log.push_back("observe_b@" + std::to_string(step));
  });
  world.run_step();
  CHECK(size_seen_in_a == 5000);  // still there during the phase
  CHECK(pop.size() == 0);         // gone after it
  CHECK(log == std::vector<std::string>{"observe_a", "observe_b@0"});
  CHECK(world.step() == 1);
  CHECK_THROWS_AS(world.add_system("x", "nope", [](World&, std::uint64_t) {}),
                  std::invalid_argument);
}

TEST_CASE("an exception in a parallel system reaches the caller") {
  World world(WorldOptions{1, 2});
  Population& pop = world.add_population("p", {false, {}});
  pop.add_component<int>("v");
  for (int i = 0; i < 20000; ++i)
    pop.create();
  world.add_system("boom", "update", pop, [](BlockContext& ctx, Row, Row) {
    if (ctx.block == 3) throw std::runtime_error("block 3 failed");
  });
  CHECK_THROWS_WITH_AS(world.run_step(), "block 3 failed", std::runtime_error);
}

TEST_CASE("the worker pool runs each task once and a slow task does not hold back the rest") {
  WorkerPool pool(2);
  std::vector<int> runs(10, 0);
  std::atomic<int> done{0};
  std::atomic<bool> waited_out{false};
  pool.run(10, [&](std::size_t task, std::size_t) {
    if (task == 0) {
      // Blocks its thread until the nine others are done: only a free thread can run them.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (done.load() < 9)
        if (std::chrono::steady_clock::now() > give_up) {
          waited_out = true;
          break;
        }
    }
    ++runs[task];
    ++done;
  });
  CHECK_FALSE(waited_out.load());
  CHECK(runs == std::vector<int>(10, 1));
}
