#include "belief_agents.hpp"

#include <cmath>
#include <fstream>

#include "active_inference.hpp"
#include "agent_outputs.hpp"
#include "agent_step.hpp"
#include "cohort/engine/atomic_file.hpp"
#include "cohort/engine/world.hpp"
#include "cohort/memory/refusal.hpp"
#include "grid_setup.hpp"
#include "settings.hpp"

namespace cohort::models {

namespace {

using belief::AgentState;
using belief::BeliefRef;
using belief::HistoryRef;
using engine::Component;
using engine::Row;

class BeliefAgents final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    settings_ = belief::read_settings(setup.parameters);
    const engine::PopulationSetup& decl = setup.population("explorers");
    pop_ = &world.add_population("explorers", decl.options);
    state_ = pop_->add_component<AgentState>("state");
    belief_ = pop_->add_component<BeliefRef>("belief", engine::ColumnKind::handle);
    history_ = pop_->add_component<HistoryRef>("history", engine::ColumnKind::handle);
    grid_ = belief::make_grid(settings_, world.seed(), pop_->index());
    make_rules(world, decl.on_refusal);

    // The shared model is charged once to the population.
    shared_tag_ = world.accountant().tags().intern("shared");
    world.accountant().context(0).charge_shared(pop_->account(), shared_tag_, grid_->shared_bytes(),
                                                grid_->shared_bytes());
    pop_->set_release([this](memory::ChargeContext& ctx, Row row) {
      rules_.beliefs.release(ctx, pop_->account(), row, pop_->column(belief_)[row]);
      rules_.history.release(ctx, pop_->account(), row, pop_->column(history_)[row]);
    });
    for (const belief::Rung rung : settings_.reclaim)
      add_reclaimer(rung);

    place_agents(world, decl.size);
    world.set_phases({"act", "trace"});
    // An agent's inference costs microseconds (policies x states), so small blocks: 10,000
    // agents then make ~150 blocks and both threads stay busy (4096-row blocks made 3).
    world.add_system("act", "act", *pop_,
                     [this](engine::BlockContext& ctx, Row b, Row e) {
                       belief::step_agents(rules_, ctx, columns(), b, e);
                     },
                     {.cost_ns = 5000});
    if (!settings_.trace_agents.empty())
      world.add_system("trace", "trace",
                       [this](engine::World& w, std::uint64_t step) { trace(w, step); });
  }

  std::vector<std::string> metric_names() const override {
    return {"agents",
            "mean_belief_entropy",
            "mean_true_cell_mass",
            "on_preferred",
            "mean_bytes_per_agent",
            "mean_belief_bytes",
            "mean_history_bytes",
            "history_compression_ratio",
            "agents_evicted",
            "agents_pruned",
            "agents_refused"};
  }

  std::vector<engine::MetricKind> metric_kinds() const override {
    using K = engine::MetricKind;
    return {K::count, K::real, K::real,  K::real,  K::real, K::real,
            K::real,  K::real, K::count, K::count, K::count};
  }

  std::vector<double> metrics(engine::World& world) override {
    struct Sums {
      double entropy = 0, mass = 0, preferred = 0, beliefs = 0, history = 0, raw = 0, sealed = 0,
             evicted = 0, pruned = 0, refused = 0;
    };
    const auto st = pop_->column(state_);
    const auto bel = pop_->column(belief_);
    const auto his = pop_->column(history_);
    const Sums s = world.reduce(
        pop_->size(), Sums{},
        [&](Row b, Row e) {
          Sums a;
          belief::SparseVec qs;  // per block: blocks run on several threads
          for (Row r = b; r < e; ++r) {
            rules_.beliefs.load(bel[r], qs);
            a.entropy += belief::belief_entropy(qs);
            a.mass += belief::belief_mass_at(qs, st[r].cell);
            a.preferred += preferred_[grid_->type(st[r].cell)];
            a.beliefs += bel[r].bytes;
            const belief::HistoryStats h = rules_.history.stats(his[r]);
            a.history += static_cast<double>(h.bytes);
            a.raw += static_cast<double>(h.sealed_raw_bytes);
            a.sealed += static_cast<double>(h.sealed_bytes);
            a.evicted += (st[r].rungs & belief::kEvicted) != 0;
            a.pruned += (st[r].rungs & belief::kPruned) != 0;
            a.refused += (st[r].rungs & belief::kRefused) != 0;
          }
          return a;
        },
        [](Sums a, const Sums& b) {
          a.entropy += b.entropy, a.mass += b.mass, a.preferred += b.preferred;
          a.beliefs += b.beliefs, a.history += b.history, a.raw += b.raw, a.sealed += b.sealed;
          a.evicted += b.evicted, a.pruned += b.pruned, a.refused += b.refused;
          return a;
        });
    const double n = static_cast<double>(pop_->size());
    const double div = n > 0 ? n : 1.0;
    const double fixed =
        static_cast<double>(pop_->component_bytes_per_agent() + pop_->overhead_bytes_per_agent());
    return {n,
            s.entropy / div,
            s.mass / div,
            s.preferred / div,
            fixed + (s.beliefs + s.history) / div,
            s.beliefs / div,
            s.history / div,
            s.sealed > 0 ? s.raw / s.sealed : 0.0,
            s.evicted,
            s.pruned,
            s.refused};
  }

  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    // Beliefs and histories are pooled pointers: save their contents.
    belief::SparseVec v;
    for (Row r = 0; r < pop_->size(); ++r) {
      const BeliefRef& ref = pop_->column(belief_)[r];
      rules_.beliefs.load(ref, v);
      out.put(ref.level);
      out.put(ref.bytes);  // the chunk's exact size, so a resumed run charges the same bytes
      out.put(ref.dense);
      out.put(ref.capacity);
      out.put_vector(v.index);
      out.put_vector(v.value);
      rules_.history.save(pop_->column(history_)[r], out);
    }
    out.put_string(trace_);  // so belief_trace.csv after a resume covers the whole run
  }

  void load(engine::World& world, engine::CheckpointReader& in) override {
    memory::ChargeContext& ctx = world.accountant().context(0);
    belief::SparseVec v;
    for (Row r = 0; r < pop_->size(); ++r) {
      BeliefRef& ref = pop_->column(belief_)[r];
      HistoryRef& h = pop_->column(history_)[r];
      ref = BeliefRef{};
      h = HistoryRef{};
      ref.level = in.get<std::uint8_t>("belief prune level");
      const auto bytes = in.get<std::uint32_t>("belief bytes");
      const auto dense = in.get<std::uint8_t>("belief dense flag");
      const auto capacity = in.get<std::uint16_t>("belief capacity");
      if (bytes != (dense ? grid_->states() * sizeof(double) : belief::sparse_bytes(capacity)))
        throw engine::CheckpointError("checkpoint is corrupt: belief size of explorer row " +
                                      std::to_string(r));
      if (bytes > 0) {
        const memory::AllocResult a = ctx.allocate(pop_->account(), r, rules_.beliefs.tag, bytes);
        if (!a) throw memory::BudgetExceeded(ctx.last_refusal());
        ref.data = a.ptr;
        ref.bytes = bytes;
        ref.dense = dense;
        ref.capacity = capacity;
      }
      v.index = in.get_vector<std::uint32_t>("belief indices");
      v.value = in.get_vector<double>("belief values");
      if (v.index.size() != v.value.size() || ref.level >= rules_.prune_epsilons.size())
        throw engine::CheckpointError("checkpoint is corrupt: belief of explorer row " +
                                      std::to_string(r));
      for (std::uint32_t s : v.index)
        if (s >= grid_->states())
          throw engine::CheckpointError("checkpoint is corrupt: belief state out of range");
      if (!v.index.empty() &&
          rules_.beliefs.store(ctx, pop_->account(), r, ref, v) != memory::ChargeStatus::ok)
        throw memory::BudgetExceeded(ctx.last_refusal());
      rules_.history.load(ctx, pop_->account(), r, h, in);
    }
    trace_ = in.get_string("belief trace rows");
  }

  void write_outputs(const engine::World&, const std::filesystem::path& dir) const override {
    if (!settings_.history_agents.empty())
      belief::write_history_csv(dir / "belief_history.csv", rules_.history, pop_->column(history_),
                                settings_.history_agents);
    if (!settings_.trace_agents.empty()) {
      engine::write_file_atomically(dir / "belief_trace.csv",
                                    "step,agent,kind,index,value\n" + trace_);
    }
  }

  void release(engine::World& world) override {
    world.accountant().context(0).release_shared(pop_->account(), shared_tag_,
                                                 grid_->shared_bytes(), grid_->shared_bytes());
  }

 private:
  belief::AgentColumns columns() {
    return {pop_->column(state_), pop_->column(belief_), pop_->column(history_)};
  }

  void make_rules(engine::World& world, engine::RefusalPolicy on_refusal) {
    rules_.world = grid_.get();
    rules_.log_preferences = belief::log_preferences(settings_.preferences);
    double eps = settings_.prune_epsilon;
    for (std::uint32_t k = 0; k <= settings_.prune_levels; ++k, eps *= settings_.prune_step)
      rules_.prune_epsilons.push_back(std::min(eps, 0.5));
    rules_.policy_length = settings_.policy_length;
    rules_.gamma = settings_.gamma;
    rules_.alpha = settings_.alpha;
    rules_.start_mass = settings_.start_mass;
    rules_.deterministic = settings_.deterministic;
    rules_.on_refusal = on_refusal;
    auto& tags = world.accountant().tags();
    rules_.beliefs = {tags.intern("beliefs"), grid_->states()};
    rules_.history = {tags.intern("history"), settings_.codec,
                      static_cast<std::uint16_t>(settings_.block_entries),
                      static_cast<std::uint16_t>(std::max<std::uint32_t>(
                          1, std::min<std::uint32_t>(
                                 65535, settings_.history_capacity / settings_.block_entries)))};
    const double top =
        *std::max_element(settings_.preferences.begin(), settings_.preferences.end());
    for (double c : settings_.preferences)
      preferred_.push_back(c == top ? 1.0 : 0.0);
  }

  void add_reclaimer(belief::Rung rung) {
    if (rung == belief::Rung::evict_history) {
      pop_->account().add_reclaimer({"evict_history", [this](const memory::ReclaimRequest& req) {
                                       HistoryRef& h = pop_->column(history_)[req.row];
                                       std::size_t freed = 0;
                                       while (freed < req.bytes_to_free && h.sealed > 0)
                                         freed += rules_.history.evict_oldest(
                                             req.context, req.population, req.row, h);
                                       if (freed > 0)
                                         pop_->column(state_)[req.row].rungs |= belief::kEvicted;
                                     }});
      return;
    }
    pop_->account().add_reclaimer(
        {"prune_beliefs", [this](const memory::ReclaimRequest& req) {
           BeliefRef& ref = pop_->column(belief_)[req.row];
           if (ref.data == nullptr || ref.level + 1u >= rules_.prune_epsilons.size()) return;
           belief::SparseVec& v = belief::thread_workspace().reclaim;
           rules_.beliefs.load(ref, v);
           ++ref.level;
           belief::prune(v, rules_.prune_epsilons[ref.level]);
           pop_->column(state_)[req.row].rungs |= belief::kPruned;
           rules_.beliefs.store(req.context, req.population, req.row, ref, v);
         }});
  }

  void place_agents(engine::World& world, std::uint64_t count) {
    std::vector<std::uint32_t> open;  // cells agents may start on (not obstacles)
    for (std::size_t s = 0; s < grid_->states(); ++s)
      if (grid_->transition(s, belief::kStay).target == s &&
          std::find(settings_.obstacles.begin(), settings_.obstacles.end(), grid_->type(s)) ==
              settings_.obstacles.end())
        open.push_back(static_cast<std::uint32_t>(s));
    if (open.empty() && count > 0) throw std::invalid_argument("every cell is an obstacle");
    pop_->reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      const engine::AgentId id = pop_->create();
      engine::RandomStream rng(world.seed(), pop_->uid_at(pop_->row_of(id)), ~0ull,
                               belief::kPlacement);
      const std::uint32_t cell = open[rng.below(static_cast<std::uint32_t>(open.size()))];
      AgentState& st = pop_->column(state_)[pop_->row_of(id)];
      st.cell = st.start = cell;
    }
  }

  void trace(engine::World&, std::uint64_t step) {
    belief::SparseVec qs;
    belief::Workspace& ws = belief::thread_workspace();
    for (const std::uint64_t row : settings_.trace_agents) {
      if (row >= pop_->size()) continue;
      rules_.beliefs.load(pop_->column(belief_)[row], qs);
      belief::append_trace(trace_, step, row, qs, belief::decide(rules_, qs, ws));
    }
  }

  belief::Settings settings_;
  std::unique_ptr<belief::GridWorld> grid_;
  belief::StepRules rules_;
  std::vector<double> preferred_;  // 1 for preferred cell types (the highest C)
  engine::Population* pop_ = nullptr;
  Component<AgentState> state_;
  Component<BeliefRef> belief_;
  Component<HistoryRef> history_;
  memory::TagId shared_tag_ = 0;
  std::string trace_;
};

}  // namespace

void register_belief_agents(engine::ModelRegistry& registry) {
  registry.add(engine::ModelInfo{
      "belief_agents",
      "Active-inference explorers on a grid (pymdp's discrete mathematics): sparse pooled "
      "beliefs, a shared A and B, compressed ring-buffer histories and per-agent budgets.",
      {{.name = "explorers",
        .default_size = 10000,
        .help = "the explorers",
        .default_budget_bytes = 16384}},
      belief::parameter_spec(),
      [] { return std::make_unique<BeliefAgents>(); },
      [](const engine::ModelSetup& setup, std::uint64_t seed) {
        // The explorers are the world's only population, index 0 (as in build()).
        belief::check_grid(belief::read_settings(setup.parameters), setup.parameters, seed, 0,
                           setup.population("explorers").size);
      }});
}

}  // namespace cohort::models
