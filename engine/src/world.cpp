#include "cohort/engine/world.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cohort::engine {

namespace {
// A keyed 64-bit mix (splitmix64's finaliser) for the random activation order.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t claim_draw(std::uint64_t seed, std::uint64_t step, std::uint32_t channel,
                         std::uint64_t resource, Uid claimant) {
  return mix(claimant ^ mix(resource ^ mix(step ^ mix(seed ^ mix(channel)))));
}

Row block_rows_for(double cost_ns) {
  if (!(cost_ns > 0)) return kBlockRows;
  constexpr double kBlockNs = 100'000;  // ~100 us per block: scheduling cost stays below 1%
  const double rows = std::clamp(kBlockNs / cost_ns, 64.0, double{kBlockRows});
  // A power of two, so block boundaries fall on cache lines for every column type.
  return Row{1} << static_cast<unsigned>(std::floor(std::log2(rows)));
}

void BlockContext::kill(std::uint16_t target_population, AgentId target, Row /*source_row*/) {
  commands.destroy(target_population, target);
}

void BlockContext::spawn(std::uint16_t target_population, Row source_row, SpawnInit init) {
  commands.spawn(target_population, {population.uid_at(source_row), system, commands.next_seq()},
                 std::move(init));
}

World::World(WorldOptions options)
    : seed_(options.seed),
      ranks_(options.ranks ? std::move(options.ranks) : std::make_shared<const SingleRank>()),
      accountant_(memory::AccountantOptions{1, options.pool_mode}),
      workers_(options.threads) {
  accountant_.ensure_threads(workers_.size());
}

Population& World::add_population(std::string name, PopulationOptions options) {
  if (find_population(name) != nullptr)
    throw std::invalid_argument("a population named '" + name + "' already exists");
  const auto index = static_cast<std::uint16_t>(populations_.size());
  populations_.push_back(
      std::make_unique<Population>(std::move(name), index, accountant_, uids_, options));
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

void World::add_system(std::string name, std::string phase, Population& population, BlockFn fn,
                       SystemOptions options) {
  if (std::find(phases_.begin(), phases_.end(), phase) == phases_.end())
    throw std::invalid_argument("system '" + name + "' names unknown phase '" + phase + "'");
  systems_.push_back(
      {std::move(name), std::move(phase), population.index(), std::move(fn), {}, options});
}

void World::add_system(std::string name, std::string phase, StepFn fn) {
  if (std::find(phases_.begin(), phases_.end(), phase) == phases_.end())
    throw std::invalid_argument("system '" + name + "' names unknown phase '" + phase + "'");
  systems_.push_back({std::move(name), std::move(phase), 0, {}, std::move(fn), {}});
}

void World::run_tasks(std::size_t tasks, const std::function<void(std::size_t, std::size_t)>& fn) {
  workers_.run(tasks, fn);
}

void World::for_each_block(std::size_t rows,
                           const std::function<void(std::size_t, std::size_t)>& fn) {
  workers_.run(block_count(rows), fn);
}

void World::activation_order(const Population& pop, std::vector<Row>& order) {
  // Sorted by a keyed hash of the uid: a uniformly random permutation for each (seed,
  // population, step), the same whatever row each agent sits in.
  const std::uint64_t key = mix(seed_ ^ mix(step_ ^ mix(kPopulationUidBase | pop.index())));
  const std::size_t n = pop.size();
  std::vector<std::pair<std::uint64_t, Row>>& keyed = activation_keys_;
  keyed.resize(n);
  const auto uids = pop.uids();
  for (Row r = 0; r < n; ++r)
    keyed[r] = {mix(uids[r] ^ key), r};
  // Ties (probability ~n^2/2^65) fall back to the row: both sorts below are stable on rows.
  if (n < 4096) {
    std::sort(keyed.begin(), keyed.end());
  } else {
    // LSD radix sort on the 64-bit key, six 11-bit digits: O(n), where a comparison sort was a
    // quarter of a random-schedule step at 10^5 agents.
    constexpr unsigned kBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    std::vector<std::pair<std::uint64_t, Row>>& other = activation_scratch_;
    other.resize(n);
    std::vector<std::size_t> count(kBuckets);
    for (unsigned shift = 0; shift < 64; shift += kBits) {
      std::fill(count.begin(), count.end(), 0);
      for (const auto& k : keyed)
        ++count[(k.first >> shift) & (kBuckets - 1)];
      std::size_t at = 0;
      for (std::size_t& c : count)
        at += std::exchange(c, at);
      for (const auto& k : keyed)
        other[count[(k.first >> shift) & (kBuckets - 1)]++] = k;
      keyed.swap(other);
    }
  }
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = keyed[i].second;
}

void World::run_system(std::uint32_t ordinal) {
  const System& system = systems_[ordinal];
  if (system.per_step) {
    system.per_step(*this, step_);
    return;
  }
  Population& pop = population(system.population);
  const std::size_t rows = pop.size();
  const Schedule schedule = system.options.schedule;
  const Row block_rows = schedule == Schedule::random ? std::max<Row>(1, static_cast<Row>(rows))
                                                      : block_rows_for(system.options.cost_ns);
  const std::size_t blocks = (rows + block_rows - 1) / block_rows;
  if (block_commands_.size() < used_commands_ + blocks)
    block_commands_.resize(used_commands_ + blocks);
  const std::size_t first = used_commands_;
  used_commands_ += blocks;

  const Row* order = nullptr;
  if (schedule == Schedule::random) {
    activation_order(pop, order_);
    order = order_.data();
  }
  if (schedule == Schedule::simultaneous) {
    snapshot_.resize(pop.column_count());
    for (std::size_t c = 0; c < pop.column_count(); ++c) {
      const ComponentColumn& col = pop.column_at(c);
      snapshot_[c].assign(col.bytes(), col.bytes() + col.size() * col.value_bytes());
    }
  }
  auto run_block = [&](std::size_t b, std::size_t thread) {
    BlockContext ctx{*this,
                     pop,
                     step_,
                     thread,
                     b,
                     accountant_.context(thread),
                     block_commands_[first + b],
                     seed_,
                     ordinal,
                     order,
                     schedule == Schedule::simultaneous ? &snapshot_ : nullptr};
    const auto begin = static_cast<Row>(b * block_rows);
    const auto end = static_cast<Row>(std::min<std::size_t>(rows, (b + 1) * block_rows));
    system.per_block(ctx, begin, end);
  };
  if (schedule == Schedule::random) {
    // One agent after another: each sees the changes of those before it.
    for (std::size_t b = 0; b < blocks; ++b)
      run_block(b, 0);
  } else {
    workers_.run(blocks, run_block);
  }
}

void World::resolve_claims() {
  for (std::uint32_t c = 0; c < claim_channels_.size(); ++c)
    claim_channels_[c]->resolve(*this, c);
}

void World::apply_effects() {
  for (auto& channel : channels_)
    channel->apply(*this);
}

void World::apply_deferred() {
  // Deaths first, in block order (rows are the same on any thread count), then births sorted by
  // (population, source uid, system, emission), which fixes the newborns' uids and rows.
  std::vector<DeferredCommands::Entry*> births;
  const auto take = [&](DeferredCommands& commands) {
    for (DeferredCommands::Entry& e : commands.entries()) {
      if (e.agent.is_null())
        births.push_back(&e);
      else
        population(e.population).destroy(e.agent);
    }
  };
  for (std::size_t i = 0; i < used_commands_; ++i)
    take(block_commands_[i]);
  take(phase_end_commands_);
  std::stable_sort(births.begin(), births.end(), [](const auto* a, const auto* b) {
    if (a->population != b->population) return a->population < b->population;
    return a->key < b->key;
  });
  for (DeferredCommands::Entry* e : births) {
    Population& pop = population(e->population);
    AgentId id;
    if (pop.options().fail_on_refused_birth) {
      id = pop.create();  // throws the typed budget refusal
    } else if (pop.try_create(id) == BirthStatus::refused) {
      continue;
    }
    if (e->init) e->init(pop, pop.row_of(id));
  }
  for (std::size_t i = 0; i < used_commands_; ++i)
    block_commands_[i].clear();
  phase_end_commands_.clear();
  used_commands_ = 0;
}

void World::run_step() {
  for (std::uint32_t p = 0; p < phases_.size(); ++p) {
    for (std::uint32_t s = 0; s < systems_.size(); ++s)
      if (systems_[s].phase == phases_[p]) run_system(s);
    accountant_.settle();
    // Phase-end work only where there is some: a step of plain systems pays one settle.
    bool pending = !phase_end_commands_.empty();
    for (std::size_t i = 0; i < used_commands_ && !pending; ++i)
      pending = !block_commands_[i].empty();
    for (const auto& c : claim_channels_)
      pending = pending || c->pending() != 0;
    for (const auto& c : channels_)
      pending = pending || c->pending() != 0;
    // Distributed: effects cross ranks at every phase end (collective), pending here or not.
    pending = pending || (!channels_.empty() && ranks_->size() > 1);
    if (!pending) {
      used_commands_ = 0;
      continue;
    }
    resolve_claims();
    apply_effects();
    apply_deferred();
    accountant_.settle();
  }
  ++step_;
}

}  // namespace cohort::engine
