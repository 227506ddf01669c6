#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/memory/report.hpp"
#include "cohort/space/continuous/continuous_settings.hpp"
#include "point_sets.hpp"

using namespace cohort::space;
using cohort::engine::Component;
using cohort::engine::Population;
using cohort::engine::World;
using cohort::memory::Scope;
using cohort::space::testing::brute_pairs;
using cohort::space::testing::random_points;

namespace {

struct Fixture {
  World world{cohort::engine::WorldOptions{42, 1}};
  Population* pop = nullptr;
  Component<Vec<3>> pos;
  Box<3> box{{9.0, 9.0, 9.0}, {true, true, true}};

  explicit Fixture(cohort::engine::PopulationOptions options = {}) {
    pop = &world.add_population("atoms", options);
    pos = pop->add_component<Vec<3>>("position");
  }
  void add(std::size_t n, std::uint64_t seed) {
    for (const auto& p : random_points(box, n, 1.0, seed)) {
      const auto id = pop->create();
      pop->column(pos)[pop->row_of(id)] = p;
    }
  }
  std::uint64_t charged(cohort::memory::TagId tag) {
    world.accountant().settle();
    return pop->account().counters(Scope::population, tag).held;
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs(const ContinuousSpace<3>& space) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (std::uint32_t i = 0; i < pop->size(); ++i)
      space.for_each_neighbour(
          i, [&](std::uint32_t j) { out.emplace_back(std::min(i, j), std::max(i, j)); });
    std::sort(out.begin(), out.end());
    return out;
  }
};

ContinuousOptions lj_options() {
  ContinuousOptions o;
  o.cutoff = 2.5;
  o.skin = 0.3;
  o.rebuild = RebuildPolicy::automatic;
  o.sort_rows = true;
  return o;
}

// A space with the LJ benchmark's options over 500 random points, built once.
struct BuiltLjSpace {
  explicit BuiltLjSpace(std::uint64_t seed) {
    f.add(500, seed);
    space.update();
  }
  Fixture f;
  ContinuousSpace<3> space{*f.pop, f.pos, f.box, lj_options(), f.world.accountant()};
  const SpaceTags tags = SpaceTags::intern(f.world.accountant().tags());
};

}  // namespace

TEST_CASE("space charges equal the bytes its cells and list hold after builds, births and deaths") {
  BuiltLjSpace built(41);
  Fixture& f = built.f;
  ContinuousSpace<3>& space = built.space;
  const SpaceTags& tags = built.tags;
  auto expect_exact = [&] {
    CHECK(f.charged(tags.cells) == space.cells().bytes());
    CHECK(f.charged(tags.neighbours) == space.list().bytes() + f.pop->size() * sizeof(Vec<3>));
    CHECK(space.cell_bytes() == space.cells().bytes());
  };
  expect_exact();
  CHECK(space.list().rows() == 500);
  f.add(300, 42);  // births make the space stale: the next update rebuilds
  CHECK(space.update());
  CHECK(space.list().rows() == 800);
  expect_exact();
  for (int k = 0; k < 200; ++k)
    f.pop->destroy(f.pop->id_at(0));
  CHECK(space.update());
  CHECK(space.list().rows() == 600);
  expect_exact();
  CHECK(space.builds() == 3);
}

TEST_CASE("a list build charges its bin-ordered copy of the positions while it holds it") {
  BuiltLjSpace built(49);
  Fixture& f = built.f;
  ContinuousSpace<3>& space = built.space;
  const SpaceTags& tags = built.tags;
  const std::uint64_t held = f.charged(tags.neighbours);
  space.rebuild();  // same points: the same list bytes, plus the scratch during the build
  CHECK(f.charged(tags.neighbours) == held);
  const auto counters = f.pop->account().counters(Scope::population, tags.neighbours);
  CHECK(counters.peak_held == held + NeighbourList<3>::scratch_bytes(500));
  CHECK(NeighbourList<3>::scratch_bytes(500) == 500 * 3 * sizeof(double));
}

TEST_CASE("destroying the space returns every charged byte") {
  Fixture f;
  const SpaceTags tags = SpaceTags::intern(f.world.accountant().tags());
  {
    ContinuousSpace<3> space(*f.pop, f.pos, f.box, lj_options(), f.world.accountant());
    f.add(300, 43);
    space.update();
    CHECK(f.charged(tags.neighbours) > 0);
  }
  CHECK(f.charged(tags.cells) == 0);
  CHECK(f.charged(tags.neighbours) == 0);
}

TEST_CASE("sorting rows by bin groups each bin's agents in consecutive rows and keeps the pairs") {
  Fixture f;
  ContinuousOptions o = lj_options();
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, o, f.world.accountant());
  f.add(600, 44);
  space.update();
  for (std::uint32_t c = 0; c < space.cells().cell_count(); ++c) {  // grouped by bin
    const auto rows = space.cells().rows_in(c);
    if (!rows.empty()) CHECK(rows.back() - rows.front() + 1 == rows.size());
  }
  std::size_t moved = 0;  // uids were handed out in row order: count agents not at their row
  for (std::uint32_t r = 0; r < f.pop->size(); ++r)
    moved += f.pop->uid_at(r) != r;
  CHECK(moved > 500);
  const auto pts = std::vector<Vec<3>>(f.pop->column(f.pos).begin(), f.pop->column(f.pos).end());
  CHECK(f.pairs(space) == brute_pairs(f.box, pts, 2.8));
}

TEST_CASE("with sort_every 0 only the first build re-sorts the rows") {
  Fixture f;
  ContinuousOptions o = lj_options();
  o.sort_every = 0;
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, o, f.world.accountant());
  f.add(300, 50);
  space.update();  // sorts
  f.add(300, 51);  // new rows at the end, unsorted
  std::vector<std::uint64_t> before(f.pop->uids().begin(), f.pop->uids().end());
  CHECK(space.update());  // rebuilds for the births, without a re-sort
  CHECK(std::equal(before.begin(), before.end(), f.pop->uids().begin()));
  const auto pts = std::vector<Vec<3>>(f.pop->column(f.pos).begin(), f.pop->column(f.pos).end());
  CHECK(f.pairs(space) == brute_pairs(f.box, pts, 2.8));
}

TEST_CASE("the automatic policy rebuilds exactly when one agent moved more than skin/2") {
  Fixture f;
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, lj_options(), f.world.accountant());
  f.add(400, 45);
  space.update();
  auto pos = f.pop->column(f.pos);
  pos[7][0] = f.box.wrap(0, pos[7][0] + 0.149);
  CHECK_FALSE(space.update());
  pos[7][0] = f.box.wrap(0, pos[7][0] + 0.002);  // now 0.151 > 0.15 from its build position
  CHECK(space.update());
  CHECK(space.builds() == 2);
}

TEST_CASE("the every-N policy rebuilds on every Nth update only") {
  Fixture f;
  ContinuousOptions o = lj_options();
  o.rebuild = RebuildPolicy::every;
  o.rebuild_every = 3;
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, o, f.world.accountant());
  f.add(100, 46);
  std::vector<bool> rebuilt;
  for (int i = 0; i < 7; ++i)
    rebuilt.push_back(space.update());
  CHECK(rebuilt == std::vector<bool>{true, false, false, true, false, false, true});
}

TEST_CASE("a list over the population budget is a typed refusal naming space.neighbours") {
  cohort::engine::PopulationOptions options;
  options.population_budget = cohort::memory::PopulationLimits::from_hard(200000);
  Fixture f(options);
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, lj_options(), f.world.accountant());
  f.add(1000, 47);  // ~40 half-list entries per atom: 160 KB of list on top of the agents
  try {
    space.update();
    FAIL("expected a refusal");
  } catch (const cohort::memory::BudgetExceeded& e) {
    CHECK(e.refusal().tag == "space.neighbours");
    CHECK(e.refusal().account_path == "atoms");
    CHECK(e.refusal().limit == 200000);
    CHECK(e.refusal().requested > 100000);
  }
}

TEST_CASE("with the cells fallback a list over budget is dropped and pairs come from the bins") {
  cohort::engine::PopulationOptions options;
  options.population_budget = cohort::memory::PopulationLimits::from_hard(200000);
  Fixture f(options);
  ContinuousOptions o = lj_options();
  o.over_budget = OverBudget::cells;
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, o, f.world.accountant());
  f.add(1000, 48);
  space.update();
  CHECK_FALSE(space.uses_list());
  CHECK(space.fallbacks() == 1);
  CHECK(space.list().bytes() == 0);
  const SpaceTags tags = SpaceTags::intern(f.world.accountant().tags());
  CHECK(f.charged(tags.neighbours) == 1000 * sizeof(Vec<3>));  // the displacement reference
  const auto pts = std::vector<Vec<3>>(f.pop->column(f.pos).begin(), f.pop->column(f.pos).end());
  CHECK(f.pairs(space) == brute_pairs(f.box, pts, 2.8));
}

TEST_CASE("the space: block parses every key of a continuous space") {
  const auto root = cohort::engine::ParamSpec::object(
      "root", {continuous_space_schema(ContinuousSpaceSettings{})}, "test");
  const auto doc = YAML::Load(
      "space:\n  kind: continuous\n  box: [30.0, 20.0, 10.0]\n  periodic: [true, false, true]\n"
      "  cutoff: 2.5\n  skin: 0.3\n  cell_size: 3\n  neighbour_list: full\n"
      "  rebuild: {every: {steps: 20}}\n  on_list_over_budget: cells\n  sort_rows: true\n"
      "  sort_every: 50\n"
      "  query: cells_only\n");
  const auto s = continuous_settings(cohort::engine::validate(doc, root, "s.yaml").at("space"));
  CHECK(s.dimensions == 3);
  CHECK(s.box == std::array<double, 3>{30.0, 20.0, 10.0});
  CHECK(s.periodic == std::array<bool, 3>{true, false, true});
  CHECK(s.options.cutoff == 2.5);
  CHECK(s.options.skin == 0.3);
  CHECK(s.options.cell_size == 3);
  CHECK(s.options.list == ListKind::full);
  CHECK(s.options.rebuild == RebuildPolicy::every);
  CHECK(s.options.rebuild_every == 20);
  CHECK(s.options.over_budget == OverBudget::cells);
  CHECK(s.options.sort_rows);
  CHECK(s.options.sort_every == 50);
  CHECK(s.query == QueryMode::cells_only);
  const auto automatic = YAML::Load(
      "space: {box: [10, 10], periodic: [true, true], "
      "rebuild: automatic, neighbour_list: none}\n");
  const auto a =
      continuous_settings(cohort::engine::validate(automatic, root, "s.yaml").at("space"));
  CHECK(a.dimensions == 2);
  CHECK(a.options.rebuild == RebuildPolicy::automatic);
  CHECK_FALSE(a.options.neighbour_list);
}

TEST_CASE("a space: block with a periodic box under twice the range names file, line and key") {
  const auto root = cohort::engine::ParamSpec::object(
      "root", {continuous_space_schema(ContinuousSpaceSettings{})}, "test");
  const auto doc = YAML::Load("space:\n  box: [10, 4]\n  periodic: [true, true]\n  cutoff: 2.5\n");
  try {
    continuous_settings(cohort::engine::validate(doc, root, "s.yaml").at("space"));
    FAIL("expected a ConfigError");
  } catch (const cohort::engine::ConfigError& e) {
    const std::string m = e.first().message();
    CHECK(m.find("s.yaml:2:") != std::string::npos);
    CHECK(m.find("space.box[1]") != std::string::npos);
  }
  const auto mismatch = YAML::Load("space: {box: [10, 10, 10], periodic: [true, true]}\n");
  CHECK_THROWS_AS(
      continuous_settings(cohort::engine::validate(mismatch, root, "s.yaml").at("space")),
      cohort::engine::ConfigError);
}

TEST_CASE("the memory report shows the space's bytes per agent as the space tag group") {
  Fixture f;
  ContinuousSpace<3> space(*f.pop, f.pos, f.box, lj_options(), f.world.accountant());
  f.add(500, 49);
  space.update();
  f.world.accountant().settle();
  const auto report = cohort::memory::MemoryReport::build(f.world.accountant());
  const auto& pop = report.populations.at(0);
  REQUIRE(pop.name == "atoms");
  const auto group = std::find_if(pop.tag_groups.begin(), pop.tag_groups.end(),
                                  [](const auto& g) { return g.group == "space"; });
  REQUIRE(group != pop.tag_groups.end());
  CHECK(group->held == space.cell_bytes() + space.neighbour_bytes());
  const auto json = report.to_json();
  const double per_agent = json["populations"][0]["tag_groups"]["space"]["bytes_per_agent"];
  CHECK(per_agent == static_cast<double>(group->held) / 500.0);
  CHECK(json["populations"][0]["tag_groups"]["space"]["bytes_per_1000_agents"] ==
        1000.0 * per_agent);
}
