#pragma once
// The gene_network model in one precision T (float or double): its population, genome matrices,
// plans and per-thread scratch. Construction and state (checkpoints, metrics, outputs) are in
// model_core.cpp; the per-generation steps in generation_steps.cpp.

#include <filesystem>
#include <span>
#include <utility>
#include <vector>

#include "cohort/engine/random/exact_bernoulli.hpp"
#include "cohort/engine/random/philox_lanes.hpp"
#include "generation_kernels.hpp"
#include "genome_matrix.hpp"
#include "model_core.hpp"
#include "point_mutation.hpp"
#include "population_metrics.hpp"
#include "regulatory_network.hpp"
#include "selection.hpp"
#include "settings.hpp"
#include "work_layout.hpp"

namespace cohort::models::gene_network::detail {

// The engine's random layer (batched Philox streams, ziggurat normals, exact Bernoulli).
using namespace cohort::engine::random_layer;

// One worker thread's working memory, sized once at build.
template <class T>
struct Scratch {
  std::vector<T> levels;                             // G x S: a slab's new levels
  std::vector<T> fitness_rows;                       // (G + extra) x S: fitness temporaries
  std::vector<T> fitness;                            // S
  std::vector<std::uint32_t> words;                  // S x blocks x 4: Philox prefixes
  std::vector<GeneMoments> moments;                  // G: one slab's moments
  std::vector<std::uint32_t> parent, second_parent;  // S
  std::vector<std::uint8_t> from_second;             // G x S: loci taken from the second parent
  std::uint32_t spill[2][4] = {};                    // blocks of two streams past their prefixes

  std::size_t bytes() const {
    return (levels.capacity() + fitness_rows.capacity() + fitness.capacity()) * sizeof(T) +
           (words.capacity() + parent.capacity() + second_parent.capacity()) *
               sizeof(std::uint32_t) +
           moments.capacity() * sizeof(GeneMoments) + from_second.capacity();
  }
};

// The sparse rows of a RegulatoryNetwork with weights in T.
template <class T>
struct SparseCopy {
  std::vector<std::uint32_t> offsets, sources;
  std::vector<T> weights;

  explicit SparseCopy(const RegulatoryNetwork& n)
      : offsets(n.offsets()),
        sources(n.sources()),
        weights(n.weights().begin(), n.weights().end()) {}
  SparseCopy() = default;
  SparseRows<T> rows() const { return {offsets.data(), sources.data(), weights.data()}; }
  std::size_t bytes() const {
    return (offsets.capacity() + sources.capacity()) * sizeof(std::uint32_t) +
           weights.capacity() * sizeof(T);
  }
};

template <class T>
class Core final : public ModelCore {
 public:
  Core(engine::World& world, const engine::ModelSetup& setup, Settings settings);

  std::vector<std::string> metric_names() const override {
    return gene_network::metric_names(s_.genes, s_.gene_means);
  }
  std::vector<double> metrics(engine::World& world) override;
  void save(engine::CheckpointWriter& out) const override { save_genome(genome_, out); }
  void load(engine::World& world, engine::CheckpointReader& in) override;
  void write_outputs(const std::filesystem::path& dir) const override;
  void release(engine::World& world) override;

 private:
  void make_plans();
  void make_scratch(std::size_t threads);
  void initialise(engine::World& world);
  void charge_genomes(memory::ChargeContext& ctx);
  void charge_shared(memory::ChargeContext& ctx, memory::TagId tag, std::size_t bytes);
  ExpressionPlan<T> expression_plan(std::uint64_t step) const;
  StreamFamily family(std::uint64_t step, std::uint16_t stream) const {
    return {seed_, step, stream};
  }
  std::span<const engine::Uid> ids_of(const Slab& slab) const {
    return pop_->uids().subspan(slab.first, slab.count);
  }

  void generation(engine::World& world, std::uint64_t step);
  void express_all(engine::World& world, std::uint64_t step);
  void reproduce(engine::World& world, std::uint64_t step);
  void measure_all(engine::World& world);

  void express_slab(const Slab& slab, const ExpressionPlan<T>& plan, std::span<T> fitness,
                    Scratch<T>& s) const;
  void mutate_slab(T* levels, std::size_t stride, const Slab& slab, std::uint64_t step,
                   const std::uint8_t* elite, Scratch<T>& s) const;
  void choose_parents(const Slab& slab, std::uint64_t step, Scratch<T>& s) const;
  void gather_offspring(const Slab& slab, const Scratch<T>& s);
  void measure_slab(std::size_t task, const T* levels, std::size_t stride, const Slab& slab,
                    Scratch<T>& s);
  void store_slab(const T* levels, const Slab& slab);

  Settings s_;
  std::uint64_t seed_;
  engine::Population* pop_ = nullptr;
  engine::Component<T> fitness_;
  GenomeMatrix<T> genome_;
  GenomeMatrix<T> offspring_;  // with selection: the next generation, then swapped in
  WorkLayout layout_;
  std::vector<Scratch<T>> scratch_;
  PointMutation mutation_;
  unsigned where_blocks_, how_much_blocks_;  // Philox prefix lengths of the mutation streams
  ParentSampler sampler_;
  ExactBernoulli crossover_;
  std::vector<std::uint8_t> elite_;
  std::vector<double> fitness_values_;
  SparseCopy<T> network_;
  SparseCopy<T> interactions_;  // epistatic M transposed
  std::vector<T> objective_weights_;
  FitnessPlan<T> fitness_plan_;
  MomentsBySlice moments_;              // per task, of the current levels
  std::uint64_t moments_step_ = ~0ull;  // the step whose levels moments_ describes
  memory::TagId genome_tag_ = 0;
  std::size_t genome_bytes_ = 0;  // charged to each individual
  std::vector<std::pair<memory::TagId, std::size_t>> shared_;
};

}  // namespace cohort::models::gene_network::detail
