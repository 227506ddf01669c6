#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "cohort/engine/world.hpp"
#include "cohort/space/continuous/continuous_space.hpp"
#include "point_sets.hpp"

using namespace cohort::space;
using cohort::engine::Component;
using cohort::engine::Population;
using cohort::engine::Uid;
using cohort::engine::World;

namespace {

using UidPairs = std::vector<std::pair<Uid, Uid>>;

ContinuousOptions every_ten() {
  ContinuousOptions o;
  o.cutoff = 2.5;
  o.skin = 0.3;
  o.rebuild = RebuildPolicy::every;
  o.rebuild_every = 10;
  o.sort_rows = true;
  return o;
}

// A population in a periodic box whose space keeps its build positions in a column.
struct Placed {
  World world{cohort::engine::WorldOptions{7, 1}};
  Population* pop;
  Component<Vec<3>> pos, built;
  Box<3> box{{9.0, 9.0, 9.0}, {true, true, true}};
  std::unique_ptr<ContinuousSpace<3>> space;

  Placed() {
    pop = &world.add_population("atoms");
    pos = pop->add_component<Vec<3>>("position");
    built = pop->add_component<Vec<3>>("build_position");
    space = std::make_unique<ContinuousSpace<3>>(*pop, pos, box, every_ten(), world.accountant());
    space->keep_build_positions(built);
  }
  // The pairs of the list, by uid, each once.
  UidPairs pairs() const {
    UidPairs out;
    for (std::uint32_t i = 0; i < pop->size(); ++i)
      space->for_each_neighbour(i, [&](std::uint32_t j) {
        const Uid a = pop->uid_at(i), b = pop->uid_at(j);
        out.emplace_back(std::min(a, b), std::max(a, b));
      });
    std::sort(out.begin(), out.end());
    return out;
  }
  Vec<3> position_of(Uid uid, Component<Vec<3>> column) const {
    for (std::uint32_t r = 0; r < pop->size(); ++r)
      if (pop->uid_at(r) == uid) return pop->column(column)[r];
    FAIL("no agent with uid " << uid);
    return {};
  }
};

}  // namespace

TEST_CASE("a space restored from its build positions holds the saved build's pairs, not today's") {
  Placed saved;
  for (const Vec<3>& p : cohort::space::testing::random_points(saved.box, 400, 1.0, 3)) {
    const auto id = saved.pop->create();
    saved.pop->column(saved.pos)[saved.pop->row_of(id)] = p;
  }
  CHECK(saved.space->update());  // the first build re-sorts the rows
  // Moves of up to 0.4 per axis, beyond skin / 2: a list built now would hold other pairs.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> step(-0.4, 0.4);
  for (int s = 0; s < 3; ++s) {
    for (Vec<3>& p : saved.pop->column(saved.pos))
      for (double& c : p)
        c += step(rng);
    CHECK_FALSE(saved.space->update());
  }
  const UidPairs saved_pairs = saved.pairs();
  REQUIRE(saved_pairs.size() > 1000);

  // The same agents in another row order (as on another rank count), with both positions.
  Placed restored;
  for (std::uint32_t r = static_cast<std::uint32_t>(saved.pop->size()); r-- > 0;) {
    const auto id = restored.pop->create_with_uid(saved.pop->uid_at(r));
    const auto row = restored.pop->row_of(id);
    restored.pop->column(restored.pos)[row] = saved.pop->column(saved.pos)[r];
    restored.pop->column(restored.built)[row] = saved.pop->column(saved.built)[r];
  }
  int ghost_calls = 0;
  const Uid probe = saved.pop->uid_at(5);
  restored.space->restore_build(saved.space->counters(), {}, [&] {
    ++ghost_calls;  // the position column holds the build positions here
    CHECK(restored.position_of(probe, restored.pos) == saved.position_of(probe, saved.built));
  });
  CHECK(ghost_calls == 1);
  CHECK(restored.pairs() == saved_pairs);
  CHECK(restored.position_of(probe, restored.pos) == saved.position_of(probe, saved.pos));
  CHECK(restored.position_of(probe, restored.built) == saved.position_of(probe, saved.built));
  CHECK(restored.space->counters().builds == saved.space->counters().builds);
  CHECK(restored.space->counters().since_build == 3);

  // A rebuild from the current positions gives other pairs: the restore is what kept them.
  Placed fresh;
  for (std::uint32_t r = 0; r < saved.pop->size(); ++r) {
    const auto id = fresh.pop->create_with_uid(saved.pop->uid_at(r));
    fresh.pop->column(fresh.pos)[fresh.pop->row_of(id)] = saved.pop->column(saved.pos)[r];
  }
  fresh.space->update();
  CHECK(fresh.pairs() != saved_pairs);

  // Both continue on the same schedule: the next build is 10 updates after the saved one.
  for (int s = 4; s <= 10; ++s) {
    CAPTURE(s);
    CHECK(saved.space->update() == (s == 10));
    CHECK(restored.space->update() == (s == 10));
  }
  CHECK(restored.pairs() == saved.pairs());
}

TEST_CASE("restoring a build needs the space to keep its build positions") {
  World world{cohort::engine::WorldOptions{7, 1}};
  Population& pop = world.add_population("atoms");
  const auto pos = pop.add_component<Vec<3>>("position");
  ContinuousSpace<3> space(pop, pos, Box<3>{{9.0, 9.0, 9.0}, {true, true, true}}, every_ten(),
                           world.accountant());
  CHECK_THROWS_AS(space.restore_build({}), std::logic_error);
}
