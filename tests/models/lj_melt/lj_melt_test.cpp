// lj_melt against specs/lj_melt.md: LAMMPS' velocity vectors, its printed thermo rows, forces
// against the energy's gradient, momentum, energy drift, and determinism.
#include <doctest/doctest.h>

#include <malloc.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/world.hpp"
#include "lj_melt/lattice.hpp"
#include "lj_melt/lj_forces.hpp"
#include "lj_melt_support.hpp"

using namespace lj_melt_test;
using cohort::models::lj::Vec3;
using cohort::testing::TempDir;
namespace lj = cohort::models::lj;

TEST_CASE("loop geom velocities match the spec's test vectors bit for bit") {
  const double a = lj::fcc_spacing(0.8442);
  CHECK(a == 1.6795961913825073);
  CHECK(20 * a == 33.591923827650149);
  struct Vector {
    Vec3 x;
    std::int32_t seed;
    Vec3 v;
  };
  const Vector vectors[] = {
      {{0, 0, 0}, 117544552, {-0.036780094977831523, -0.16305629241422576, -0.48710660589258492}},
      {{0.5 * a, 0.5 * a, 0},
       76188396,
       {-0.30419766660975184, 0.3498172899008809, 0.37919136410541432}},
      {{19.5 * a, 19 * a, 19.5 * a},
       84636275,
       {0.40784049495488428, -0.42480129325985971, 0.36466418153823543}},
  };
  for (const Vector& t : vectors) {
    CHECK(lj::loop_geom_seed(87287, t.x) == t.seed);
    CHECK(lj::loop_geom_velocity(87287, t.x) == t.v);
  }
}

TEST_CASE("the benchmark's velocities are zeroed in momentum and scaled as the spec says") {
  const auto x = lj::fcc_positions(20, 20, 20, lj::fcc_spacing(0.8442));
  REQUIRE(x.size() == 32000);
  const auto v = lj::create_velocities(x, 1.44, 87287);
  CHECK(x[0] == Vec3{0, 0, 0});
  CHECK(v[0][0] == doctest::Approx(-0.14582831540066513).epsilon(1e-14));
  CHECK(v[0][1] == doctest::Approx(-0.66994617068170115).epsilon(1e-14));
  CHECK(v[0][2] == doctest::Approx(-2.0172221659688701).epsilon(1e-14));
}

TEST_CASE("the melt example reproduces LAMMPS' logged thermo rows to every printed digit") {
  TempDir dir;
#ifdef COHORT_SANITIZED
  const int steps = 50;  // the sanitizers make each step ~10x slower: the first two rows
#else
  const int steps = 250;
#endif
  const auto rows = thermo_rows(run(dir, config(10, steps, 3.0, 50, dir / "out")));
  const std::vector<std::string> lammps = {"0 3 -6.7733681 0 -2.2744931 -3.7033504",
                                           "50 1.6842865 -4.8082494 0 -2.2824513 5.5666131",
                                           "100 1.6712577 -4.7875609 0 -2.281301 5.6613913",
                                           "150 1.6444751 -4.7471034 0 -2.2810074 5.8614211",
                                           "200 1.6471542 -4.7509053 0 -2.2807916 5.8805431",
                                           "250 1.6645597 -4.7774327 0 -2.2812174 5.7526089"};
  REQUIRE(rows.size() == static_cast<std::size_t>(steps / 50 + 1));
  for (std::size_t k = 0; k < rows.size(); ++k)
    CHECK(rows[k] == lammps[k]);
}

TEST_CASE("the benchmark's step-0 thermo row is LAMMPS' to every printed digit") {
  TempDir dir;
  const auto rows = thermo_rows(run(dir, config(20, 1, 1.44, 1, dir / "out")));
  CHECK(rows.at(0) == "0 1.44 -6.7733681 0 -4.6134356 -5.0197073");
}

#ifndef COHORT_SANITIZED
TEST_CASE("the 32,000-atom benchmark reproduces LAMMPS' step-100 row and the spec's rows") {
  TempDir dir;
  const auto rows = thermo_rows(run(dir, config(20, 100, 1.44, 10, dir / "out", 2)));
  const std::vector<std::string> expected = {"0 1.44 -6.7733681 0 -4.6134356 -5.0197073",
                                             "10 1.1253949 -6.3000527 0 -4.6120132 -2.5596852",
                                             "20 0.6257938 -5.5565565 0 -4.6178952 0.97351766",
                                             "30 0.7459273 -5.7395128 0 -4.6206568 0.3392841",
                                             "40 0.73102622 -5.7176456 0 -4.6211406 0.38897342",
                                             "50 0.74009152 -5.7315043 0 -4.6214017 0.33527332",
                                             "60 0.75050064 -5.747133 0 -4.6214172 0.26343139",
                                             "70 0.75543637 -5.7548006 0 -4.6216815 0.22427662",
                                             "80 0.75997428 -5.7618716 0 -4.6219458 0.19162624",
                                             "90 0.76046425 -5.7628021 0 -4.6221414 0.18947808",
                                             "100 0.7574531 -5.7585055 0 -4.6223613 0.20726105"};
  REQUIRE(rows.size() == expected.size());
  for (std::size_t k = 0; k < rows.size(); ++k)
    CHECK(rows[k] == expected[k]);
}
#endif

TEST_CASE("metrics are byte-identical on 1, 2 and 3 threads") {
  TempDir dir;
  const std::string one = run(dir, config(6, 30, 3.0, 5, dir / "t1", 1), "t1.yaml");
  CHECK(run(dir, config(6, 30, 3.0, 5, dir / "t2", 2), "t2.yaml") == one);
  CHECK(run(dir, config(6, 30, 3.0, 5, dir / "t3", 3), "t3.yaml") == one);
}

TEST_CASE("the pair energy of a step the forces pass did not foresee is computed on demand") {
  // Two models of one run: one told it reports every step (the forces pass sums the energy and
  // virial each step), one every 5 (at other steps metrics() and save() compute them on demand).
  TempDir dir;
  std::ofstream(dir / "run.yaml") << config(4, 12, 3.0, 1, dir / "out");
  const cohort::engine::RunSettings settings =
      cohort::engine::load_run_settings(cohort::testing::builtin_registry(), dir / "run.yaml", {});
  struct Run {
    cohort::engine::World world{cohort::engine::WorldOptions{1, 1}};
    std::unique_ptr<cohort::engine::Model> model;
    ~Run() {  // as Simulation ends a run: the agents, then what the model holds
      world.population(0).clear();
      model->release(world);
    }
  };
  std::vector<std::unique_ptr<Run>> runs;
  for (const std::uint64_t every : {1, 5}) {
    auto r = std::make_unique<Run>();
    r->model = cohort::testing::builtin_registry().find("lj_melt")->create();
    cohort::engine::ModelSetup setup = settings.model_setup();
    setup.metrics_every = every;
    r->model->build(r->world, setup);
    runs.push_back(std::move(r));
  }
  for (int step = 1; step <= 12; ++step) {
    CAPTURE(step);
    for (auto& r : runs)
      r->world.run_step();
    const std::vector<double> every_step = runs[0]->model->metrics(runs[0]->world);
    CHECK(runs[1]->model->metrics(runs[1]->world) == every_step);
    if (step % 4 == 3) {  // a checkpoint's model section, at steps either reports or not
      cohort::engine::CheckpointWriter a, b;
      runs[0]->model->save(runs[0]->world, a);
      runs[1]->model->save(runs[1]->world, b);
      CHECK(a.bytes() == b.bytes());
    }
  }
  // The energy moved: the steps did not all report one stale sum.
  const std::vector<double> last = runs[0]->model->metrics(runs[0]->world);
  runs[0]->world.run_step();
  CHECK(runs[0]->model->metrics(runs[0]->world)[1] != last[1]);
}

// The sanitizers' allocators do not report through mallinfo2.
#ifndef COHORT_SANITIZED
TEST_CASE("what the model's release uncharges is what leaves the heap") {
  // 2048 atoms; the partitions (2 x 48 KiB) were once uncharged while `= {}` kept them.
  TempDir dir;
  std::ofstream(dir / "run.yaml") << config(8, 3, 3.0, 1, dir / "out");
  const cohort::engine::RunSettings settings =
      cohort::engine::load_run_settings(cohort::testing::builtin_registry(), dir / "run.yaml", {});
  cohort::engine::World world{cohort::engine::WorldOptions{1, 1}};
  std::unique_ptr<cohort::engine::Model> model =
      cohort::testing::builtin_registry().find("lj_melt")->create();
  model->build(world, settings.model_setup());
  world.run_step();
  world.population(0).clear();
  const auto held = [&] {
    world.accountant().settle();
    return world.accountant().engine_total().held;
  };
  const std::uint64_t charged_before = held();
  const auto in_use = [] {  // blocks in the heap and blocks mapped on their own
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
  };
  const std::size_t heap_before = in_use();
  model->release(world);
  const std::uint64_t uncharged = charged_before - held();
  const std::size_t freed = heap_before - in_use();
  CHECK(uncharged > 2 * 2048 * sizeof(lj::FixedVec3));  // the partitions, and the space's
  // Allocator headers and page rounding, and the space's own small objects: well under one
  // partition's 48 KiB either way.
  CHECK(static_cast<double>(freed) >= static_cast<double>(uncharged) - 4096.0);
  CHECK(static_cast<double>(freed) <= static_cast<double>(uncharged) + 16384.0);
}
#endif
