#include "random_walk.hpp"

#include <cmath>
#include <optional>

#include "cohort/engine/world.hpp"
#include "cohort/space/grid/neighbourhood.hpp"
#include "trail.hpp"

namespace cohort::models {

namespace {

using engine::BlockContext;
using engine::Component;
using engine::ParamSpec;
using engine::Row;

struct Cell {
  std::int32_t x, y;
};
struct Displacement {
  std::int32_t dx, dy;  // unwrapped distance from where the walker was born
};

// Random streams of a walker, per step.
constexpr std::uint16_t kMoveStream = 0;
constexpr std::uint16_t kLifeStream = 1;

class RandomWalk final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    const engine::ConfigValue& p = setup.parameters;
    width_ = static_cast<std::int32_t>(p.at("width").as_int());
    height_ = static_cast<std::int32_t>(p.at("height").as_int());
    move_probability_ = p.at("move_probability").as_real();
    birth_rate_ = p.at("birth_rate").as_real();
    death_rate_ = p.at("death_rate").as_real();
    steps_.emplace(space::GridShape::plane(static_cast<std::uint32_t>(width_),
                                           static_cast<std::uint32_t>(height_), true),
                   space::NeighbourhoodSpec::von_neumann(1));
    const engine::PopulationSetup& walkers = setup.population("walkers");
    on_refusal_ = walkers.on_refusal;

    world.set_phases({"move", "life"});
    pop_ = &world.add_population("walkers", walkers.options);
    cell_ = pop_->add_component<Cell>("cell");
    displacement_ = pop_->add_component<Displacement>("displacement");
    pop_->describe(cell_, {engine::field("x", &Cell::x), engine::field("y", &Cell::y)});
    pop_->describe(displacement_, {engine::field("dx", &Displacement::dx),
                                   engine::field("dy", &Displacement::dy)});
    trail_ = pop_->add_component<Trail>("trail", engine::ColumnKind::handle);
    ops_ = {world.accountant().tags().intern("trail"),
            static_cast<std::uint16_t>(p.at("trail_capacity").as_int())};

    pop_->set_release([this](memory::ChargeContext& ctx, Row row) {
      ops_.release(ctx, pop_->account(), row, pop_->column(trail_)[row]);
    });
    // Halve the trail (keeping its newest cells) until the requested bytes are free.
    pop_->account().add_reclaimer({"shrink_trail", [this](const memory::ReclaimRequest& req) {
                                     Trail& t = pop_->column(trail_)[req.row];
                                     const std::size_t start = t.bytes();
                                     while (t.capacity > 0 && start - t.bytes() < req.bytes_to_free)
                                       ops_.shrink(req.context, req.population, req.row, t,
                                                   static_cast<std::uint16_t>(t.capacity / 2));
                                   }});

    pop_->reserve(walkers.size);
    const std::uint64_t seed = world.seed();
    for (std::uint64_t i = 0; i < walkers.size; ++i) {
      const engine::AgentId id = pop_->create();
      engine::RandomStream rng(seed, pop_->uid_at(pop_->row_of(id)), ~0ull, kMoveStream);
      pop_->column(cell_)[pop_->row_of(id)] = {
          static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(width_))),
          static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(height_)))};
    }

    world.add_system("move", "move", *pop_,
                     [this](BlockContext& ctx, Row begin, Row end) { move(ctx, begin, end); });
    if (birth_rate_ > 0 || death_rate_ > 0)
      world.add_system("life", "life", *pop_,
                       [this](BlockContext& ctx, Row begin, Row end) { life(ctx, begin, end); });
  }

  std::vector<std::string> metric_names() const override {
    return {"walkers", "mean_squared_displacement", "mean_x",
            "mean_y",  "trail_bytes_per_walker",    "frozen_trails"};
  }

  std::vector<engine::MetricKind> metric_kinds() const override {
    using K = engine::MetricKind;
    return {K::count, K::real, K::real, K::real, K::real, K::count};
  }

  std::vector<double> metrics(engine::World& world) override {
    struct Sums {
      double d2 = 0, x = 0, y = 0, trail = 0, frozen = 0;
    };
    const auto cells = pop_->column(cell_);
    const auto disp = pop_->column(displacement_);
    const auto trails = pop_->column(trail_);
    const Sums s = world.reduce(
        pop_->size(), Sums{},
        [&](Row b, Row e) {
          Sums acc;
          for (Row r = b; r < e; ++r) {
            acc.d2 += double(disp[r].dx) * disp[r].dx + double(disp[r].dy) * disp[r].dy;
            acc.x += cells[r].x;
            acc.y += cells[r].y;
            acc.trail += static_cast<double>(trails[r].bytes());
            acc.frozen += trails[r].frozen;
          }
          return acc;
        },
        [](Sums a, const Sums& b) {
          a.d2 += b.d2, a.x += b.x, a.y += b.y, a.trail += b.trail, a.frozen += b.frozen;
          return a;
        });
    const double n = static_cast<double>(pop_->size());
    const double div = n > 0 ? n : 1.0;
    return {n, s.d2 / div, s.x / div, s.y / div, s.trail / div, s.frozen};
  }

  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    // Trail buffers are pooled pointers: save their contents, oldest first.
    const auto trails = pop_->column(trail_);
    for (Row r = 0; r < pop_->size(); ++r) {
      const Trail& t = trails[r];
      out.put(t.capacity);
      out.put(t.length);
      out.put(t.frozen);
      for (std::uint16_t i = 0; i < t.length; ++i)
        out.put(t.at(i));
    }
  }

  void load(engine::World& world, engine::CheckpointReader& in) override {
    auto trails = pop_->column(trail_);
    memory::ChargeContext& ctx = world.accountant().context(0);
    for (Row r = 0; r < pop_->size(); ++r) {
      Trail& t = trails[r];
      t = Trail{};
      const auto capacity = in.get<std::uint16_t>("trail capacity");
      const auto length = in.get<std::uint16_t>("trail length");
      t.frozen = in.get<std::uint16_t>("trail frozen flag");
      if (length > capacity || capacity > kMaxTrailCapacity)
        throw engine::CheckpointError("checkpoint is corrupt: trail of walker row " +
                                      std::to_string(r) + " has length " + std::to_string(length) +
                                      " and capacity " + std::to_string(capacity));
      if (capacity == 0) continue;
      const memory::AllocResult a =
          ctx.allocate(pop_->account(), r, ops_.tag, capacity * sizeof(std::uint32_t));
      if (!a) throw memory::BudgetExceeded(ctx.last_refusal());
      t.cells = static_cast<std::uint32_t*>(a.ptr);
      t.capacity = capacity;
      for (std::uint16_t i = 0; i < length; ++i)
        t.cells[i] = in.get<std::uint32_t>("trail cell");
      t.length = length;
    }
  }

 private:
  void move(BlockContext& ctx, Row begin, Row end) const {
    auto cells = ctx.population.column(cell_);
    auto disp = ctx.population.column(displacement_);
    auto trails = ctx.population.column(trail_);
    const auto uids = ctx.population.uids();
    // A step goes to one of the von Neumann neighbours, in the neighbourhood's offset order
    // ((0,-1), (-1,0), (1,0), (0,1)); the grid wraps it around the torus.
    const space::GridShape& shape = steps_->shape();
    const std::span<const space::Coord> offsets = steps_->offsets();
    for (Row r = begin; r < end; ++r) {
      engine::RandomStream rng = ctx.rng(uids[r], kMoveStream);
      if (!rng.bernoulli(move_probability_)) continue;
      const space::Coord d = offsets[rng.below(4)];
      const space::CellIndex cell =
          shape.resolve(std::int64_t{cells[r].x} + d.x, std::int64_t{cells[r].y} + d.y);
      const space::Coord at = shape.coord(cell);
      cells[r] = {at.x, at.y};
      disp[r].dx += d.x;
      disp[r].dy += d.y;
      if (ops_.record(ctx.memory, ctx.population.account(), r, trails[r], cell) ==
          TrailRecord::refused) {
        if (on_refusal_ == engine::RefusalPolicy::fail)
          throw memory::BudgetExceeded(ctx.memory.last_refusal());
        trails[r].frozen = 1;
      }
    }
  }

  void life(BlockContext& ctx, Row begin, Row end) const {
    const auto uids = ctx.population.uids();
    const auto cells = ctx.population.column(cell_);
    for (Row r = begin; r < end; ++r) {
      engine::RandomStream rng = ctx.rng(uids[r], kLifeStream);
      if (rng.bernoulli(death_rate_)) {
        ctx.kill(ctx.population.index(), ctx.population.id_at(r), r);
      } else if (rng.bernoulli(birth_rate_)) {
        const Cell at = cells[r];
        const Component<Cell> cell = cell_;
        ctx.spawn(ctx.population.index(), r,
                  [cell, at](engine::Population& p, Row row) { p.column(cell)[row] = at; });
      }
    }
  }

  engine::Population* pop_ = nullptr;
  Component<Cell> cell_;
  Component<Displacement> displacement_;
  Component<Trail> trail_;
  TrailOps ops_{};
  std::optional<space::Neighbourhood> steps_;  // the torus and its four steps
  std::int32_t width_ = 1, height_ = 1;
  double move_probability_ = 1, birth_rate_ = 0, death_rate_ = 0;
  engine::RefusalPolicy on_refusal_ = engine::RefusalPolicy::fail;
};

}  // namespace

void register_random_walk(engine::ModelRegistry& registry) {
  registry.add(engine::ModelInfo{
      "random_walk",
      "Walkers on a torus (a grid space) that step to a random von Neumann neighbour, remember a "
      "trail of visited cells in "
      "pooled memory, and optionally give birth and die. The engine's test and quick-start model.",
      {{.name = "walkers",
        .default_size = 1000,
        .help = "the walkers",
        .default_budget_bytes = 2048}},
      ParamSpec::object(
          "parameters",
          {ParamSpec::integer("width", 100, "grid width in cells").range(1, 65535),
           ParamSpec::integer("height", 100, "grid height in cells").range(1, 65535),
           ParamSpec::real("move_probability", 1.0, "chance a walker moves in a step").range(0, 1),
           ParamSpec::real("birth_rate", 0.0, "chance a walker spawns a child in a step")
               .range(0, 1),
           ParamSpec::real("death_rate", 0.0, "chance a walker dies in a step").range(0, 1),
           ParamSpec::integer("trail_capacity", 64, "cells a walker remembers at most")
               .range(0, kMaxTrailCapacity)},
          "random walk parameters"),
      [] { return std::make_unique<RandomWalk>(); }});
}

}  // namespace cohort::models
