#include "cohort/engine/world.hpp"

#include <algorithm>
#include <stdexcept>

namespace cohort::engine {

RandomStream BlockContext::rng(AgentId agent, std::uint16_t stream) const {
  return RandomStream(seed, population.index(), agent, step, stream);
}

World::World(WorldOptions options)
    : seed_(options.seed),
      accountant_(memory::AccountantOptions{1, options.pool_mode}),
      workers_(options.threads) {
  accountant_.ensure_threads(workers_.size());
}

Population& World::add_population(std::string name, PopulationOptions options) {
  if (find_population(name) != nullptr)
    throw std::invalid_argument("a population named '" + name + "' already exists");
  const auto index = static_cast<std::uint16_t>(populations_.size());
  populations_.push_back(
      std::make_unique<Population>(std::move(name), index, accountant_, options));
  return *populations_.back();
}

Population* World::find_population(std::string_view name) {
  for (auto& p : populations_)
    if (p->name() == name) return p.get();
  return nullptr;
}

void World::set_phases(std::vector<std::string> phases) {
  if (phases.empty()) throw std::invalid_argument("a step needs at least one phase");
  phases_ = std::move(phases);
}

void World::add_system(std::string name, std::string phase, Population& population, BlockFn fn) {
  if (std::find(phases_.begin(), phases_.end(), phase) == phases_.end())
    throw std::invalid_argument("system '" + name + "' names unknown phase '" + phase + "'");
  systems_.push_back({std::move(name), std::move(phase), population.index(), std::move(fn), {}});
}

void World::add_system(std::string name, std::string phase, StepFn fn) {
  if (std::find(phases_.begin(), phases_.end(), phase) == phases_.end())
    throw std::invalid_argument("system '" + name + "' names unknown phase '" + phase + "'");
  systems_.push_back({std::move(name), std::move(phase), 0, {}, std::move(fn)});
}

void World::for_each_block(std::size_t rows,
                           const std::function<void(std::size_t, std::size_t)>& fn) {
  workers_.run(block_count(rows), fn);
}

void World::run_system(const System& system) {
  if (system.per_step) {
    system.per_step(*this, step_);
    return;
  }
  Population& pop = population(system.population);
  const std::size_t rows = pop.size();
  const std::size_t blocks = block_count(rows);
  if (block_commands_.size() < used_commands_ + blocks)
    block_commands_.resize(used_commands_ + blocks);
  const std::size_t first = used_commands_;
  used_commands_ += blocks;
  for_each_block(rows, [&](std::size_t b, std::size_t thread) {
    BlockContext ctx{
        *this, pop, step_, thread, b, accountant_.context(thread), block_commands_[first + b],
        seed_};
    const auto begin = static_cast<Row>(b * kBlockRows);
    const auto end = static_cast<Row>(std::min<std::size_t>(rows, (b + 1) * kBlockRows));
    system.per_block(ctx, begin, end);
  });
}

void World::apply_deferred() {
  for (std::size_t i = 0; i < used_commands_; ++i) {
    for (const DeferredCommands::Entry& e : block_commands_[i].entries()) {
      Population& pop = population(e.population);
      if (e.agent.is_null()) {
        const AgentId id = pop.create();
        if (e.init) e.init(pop, pop.row_of(id));
      } else {
        pop.destroy(e.agent);
      }
    }
    block_commands_[i].clear();
  }
  used_commands_ = 0;
}

void World::run_step() {
  for (const std::string& phase : phases_) {
    for (const System& system : systems_)
      if (system.phase == phase) run_system(system);
    apply_deferred();
    accountant_.settle();
  }
  ++step_;
}

}  // namespace cohort::engine
