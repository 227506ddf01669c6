#include <algorithm>

#include "cohort/memory/refusal.hpp"
#include "genome_io.hpp"
#include "model_core_impl.hpp"
#include "streams.hpp"

namespace cohort::models::gene_network {

namespace detail {

using engine::AgentId;

template <class T>
Core<T>::Core(engine::World& world, const engine::ModelSetup& setup, Settings settings)
    : s_(std::move(settings)),
      seed_(world.seed()),
      mutation_(s_.mutation.rate, s_.mutation.magnitude, s_.genes),
      where_blocks_(mutation_.where_blocks()),
      how_much_blocks_(mutation_.how_much_blocks()),
      sampler_(s_.selection),
      crossover_(s_.selection.sexual ? s_.selection.crossover_rate : 0.0) {
  const std::size_t n = s_.individuals;
  const engine::PopulationSetup& decl = setup.population("individuals");
  pop_ = &world.add_population("individuals", decl.options);
  fitness_ = pop_->add_component<T>("fitness");
  genome_ = GenomeMatrix<T>(s_.genes, n);
  const bool selecting = s_.selection.rule != SelectionRule::none;
  if (selecting) {
    offspring_ = GenomeMatrix<T>(s_.genes, n);
    elite_.assign(n, 0);
  }
  layout_ = WorkLayout(n, s_.genes, sizeof(T), kLineValues<T>);
  moments_ = MomentsBySlice(s_.genes, layout_.tasks());
  make_plans();
  make_scratch(world.threads());

  pop_->reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    pop_->create();
  std::ranges::fill(pop_->column(fitness_), T(1));  // a new happygene Individual's fitness

  memory::ChargeContext& ctx = world.accountant().context(0);
  genome_tag_ = world.accountant().tags().intern("genome");
  genome_bytes_ = std::size_t{s_.genes} * sizeof(T);
  charge_genomes(ctx);
  pop_->set_release([this](memory::ChargeContext& c, engine::Row row) {
    c.release(pop_->account(), row, genome_tag_, genome_bytes_, genome_bytes_);
  });
  const memory::TagId scratch = world.accountant().tags().intern("scratch");
  charge_shared(ctx, genome_tag_, genome_.bytes() - n * genome_bytes_);  // row padding
  charge_shared(ctx, scratch, offspring_.bytes() + elite_.capacity() + moments_.bytes());
  for (const Scratch<T>& s : scratch_)
    charge_shared(ctx, scratch, s.bytes());
  charge_shared(
      ctx, world.accountant().tags().intern("network"),
      network_.bytes() + interactions_.bytes() + objective_weights_.capacity() * sizeof(T));

  initialise(world);
  if (!selecting) {
    world.set_phases({"generation"});
    world.add_system("generation", "generation",
                     [this](engine::World& w, std::uint64_t step) { generation(w, step); });
  } else {
    world.set_phases({"express", "reproduce"});
    world.add_system("express", "express",
                     [this](engine::World& w, std::uint64_t step) { express_all(w, step); });
    world.add_system("reproduce", "reproduce",
                     [this](engine::World& w, std::uint64_t step) { reproduce(w, step); });
  }
}

template <class T>
void Core<T>::make_plans() {
  if (s_.has_network) network_ = SparseCopy<T>(s_.network);
  fitness_plan_.genes = s_.genes;
  fitness_plan_.rule = s_.fitness.rule;
  fitness_plan_.threshold = static_cast<T>(s_.fitness.threshold);
  if (s_.fitness.rule == FitnessRule::epistatic) {
    // Row g of M^T holds column g of M: (e^T M)_g = sum over h of M[h][g] e_h.
    std::vector<Edge> entries;
    for (std::uint32_t h = 0; h < s_.genes; ++h)
      for (std::uint32_t g = 0; g < s_.genes; ++g)
        if (const double m = s_.fitness.interactions[std::size_t{h} * s_.genes + g]; m != 0.0)
          entries.push_back({h, g, m});
    interactions_ = SparseCopy<T>(RegulatoryNetwork(s_.genes, std::move(entries)));
    fitness_plan_.interactions = interactions_.rows();
  }
  if (s_.fitness.rule == FitnessRule::multi_objective) {
    objective_weights_.assign(s_.fitness.weights.begin(), s_.fitness.weights.end());
    fitness_plan_.weights = objective_weights_.data();
    fitness_plan_.weight_sum =
        static_cast<T>(pairwise_sum(s_.fitness.weights.data(), s_.fitness.weights.size()));
  }
}

template <class T>
void Core<T>::make_scratch(std::size_t threads) {
  const std::size_t slab = layout_.slab_size();
  const std::size_t genes = s_.genes;
  const std::size_t init_blocks = std::min<std::size_t>(64, (2 * genes + 3) / 4);
  const std::size_t blocks = std::max<std::size_t>(init_blocks, where_blocks_ + how_much_blocks_);
  scratch_.resize(threads);
  for (Scratch<T>& s : scratch_) {
    s.levels.assign(genes * slab, T(0));
    s.fitness_rows.assign((genes + kFitnessExtraRows) * slab, T(0));
    s.fitness.assign(slab, T(0));
    s.words.assign(slab * blocks * 4, 0);
    s.moments.assign(genes, {});
    if (s_.selection.rule != SelectionRule::none) {
      s.parent.assign(slab, 0);
      s.second_parent.assign(slab, 0);
      if (s_.selection.sexual) s.from_second.assign(genes * slab, 0);
    }
  }
}

template <class T>
void Core<T>::initialise(engine::World& world) {
  const StreamFamily f = family(streams::kBeforeFirstStep, streams::kInitial);
  const auto blocks = static_cast<unsigned>(std::min<std::size_t>(64, (2 * s_.genes + 3) / 4));
  const double low = s_.initial_low, span = s_.initial_high - s_.initial_low;
  layout_.run(world, [&](std::size_t task, std::size_t thread) {
    Scratch<T>& s = scratch_[thread];
    layout_.for_each_slab(task, [&](const Slab& slab) {
      const std::span<const engine::Uid> ids = ids_of(slab);
      philox_prefix(f, ids, blocks, s.words.data());
      for (std::size_t c = 0; c < slab.count; ++c) {
        StreamWords w(f, ids[c], s.words.data() + c * blocks * 4, blocks, s.spill[0]);
        for (std::uint32_t g = 0; g < s_.genes; ++g)  // numpy's uniform: low + (high - low) * U
          genome_.at(g, slab.first + c) = clamp_level(static_cast<T>(low + span * w.uniform()));
      }
    });
  });
}

template <class T>
void Core<T>::charge_genomes(memory::ChargeContext& ctx) {
  for (engine::Row r = 0; r < pop_->size(); ++r)
    if (ctx.charge(pop_->account(), r, genome_tag_, genome_bytes_, genome_bytes_) ==
        memory::ChargeStatus::refused)
      throw memory::BudgetExceeded(ctx.last_refusal());
}

template <class T>
void Core<T>::charge_shared(memory::ChargeContext& ctx, memory::TagId tag, std::size_t bytes) {
  if (bytes == 0) return;
  ctx.charge_shared(pop_->account(), tag, bytes, bytes);
  shared_.emplace_back(tag, bytes);
}

template <class T>
void Core<T>::release(engine::World& world) {
  memory::ChargeContext& ctx = world.accountant().context(0);
  for (const auto& [tag, bytes] : shared_)
    ctx.release_shared(pop_->account(), tag, bytes, bytes);
  shared_.clear();
}

template <class T>
ExpressionPlan<T> Core<T>::expression_plan(std::uint64_t step) const {
  ExpressionPlan<T> p;
  p.genes = s_.genes;
  p.base = static_cast<T>(s_.base(s_.conditions.at(step)));
  p.rule = s_.regulation.rule;
  p.weight = static_cast<T>(s_.regulation.weight);
  p.has_network = s_.has_network;
  p.network = network_.rows();
  return p;
}

// Selection none: expression, overwrite, fitness and mutation fused per slab, so each slab's
// levels are read and written once per generation.
template <class T>
std::vector<double> Core<T>::metrics(engine::World& world) {
  // Moments come from the step that made the levels; after a build or a resume they are measured.
  if (moments_step_ != world.step()) measure_all(world);
  double individuals = 0;
  const std::vector<GeneMoments> genes = moments_.total(individuals);
  const std::span<const T> fitness = pop_->column(fitness_);
  fitness_values_.assign(fitness.begin(), fitness.end());
  const std::uint64_t step = world.step();
  const double tf = s_.conditions.at(step == 0 ? 0 : step - 1).tf_concentration;
  return metric_values(genes, individuals, fitness_values_, tf, s_.gene_means);
}

template <class T>
void Core<T>::load(engine::World& world, engine::CheckpointReader& in) {
  load_genome(genome_, in);
  charge_genomes(world.accountant().context(0));  // the resume cleared the agents' ledgers
  moments_step_ = ~0ull;
}

template <class T>
void Core<T>::write_outputs(const std::filesystem::path& dir) const {
  if (s_.population_csv)
    write_population_csv<T>(dir / "population.csv", genome_, pop_->column(fitness_), pop_->uids());
}

template class Core<float>;
template class Core<double>;

}  // namespace detail

std::unique_ptr<ModelCore> build_core(engine::World& world, const engine::ModelSetup& setup) {
  const engine::PopulationSetup& individuals = setup.population("individuals");
  Settings settings =
      read_settings(setup.parameters, setup.config_dir, world.seed(), individuals.size);
  if (settings.precision == Precision::float32)
    return std::make_unique<detail::Core<float>>(world, setup, std::move(settings));
  return std::make_unique<detail::Core<double>>(world, setup, std::move(settings));
}

}  // namespace cohort::models::gene_network
