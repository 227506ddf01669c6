#include "gene_network.hpp"

#include "model_core.hpp"
#include "schema.hpp"
#include "settings.hpp"

namespace cohort::models {

namespace {

// The engine's model: builds the core in the configured precision and forwards to it.
class GeneNetwork final : public engine::Model {
 public:
  void build(engine::World& world, const engine::ModelSetup& setup) override {
    core_ = gene_network::build_core(world, setup);
  }
  std::vector<std::string> metric_names() const override { return core_->metric_names(); }
  std::vector<double> metrics(engine::World& world) override { return core_->metrics(world); }
  void save(const engine::World&, engine::CheckpointWriter& out) const override {
    core_->save(out);
  }
  void load(engine::World& world, engine::CheckpointReader& in) override { core_->load(world, in); }
  void write_outputs(const engine::World&, const std::filesystem::path& dir) const override {
    core_->write_outputs(dir);
  }
  void release(engine::World& world) override {
    if (core_) core_->release(world);
  }

 private:
  std::unique_ptr<gene_network::ModelCore> core_;
};

}  // namespace

void register_gene_network(engine::ModelRegistry& registry) {
  registry.add(engine::ModelInfo{
      "gene_network",
      "Gene regulatory network evolution after happygene: each generation every individual's "
      "genes are expressed from the conditions and a sparse regulatory network, scored for "
      "fitness, optionally selected and reproduced (Wright-Fisher, tournament, truncation; "
      "asexual or sexual; elitism), and point-mutated.",
      {{.name = "individuals",
        .default_size = 1000,
        .help = "the individuals, each a genome of gene expression levels"}},
      gene_network::parameter_schema(),
      [] { return std::make_unique<GeneNetwork>(); },
      // Validation checks a random network's keys without drawing it (O(genes^2)); the run
      // draws it once, in build().
      [](const engine::ModelSetup& setup, std::uint64_t seed) {
        gene_network::read_settings(setup.parameters, setup.config_dir, seed,
                                    setup.population("individuals").size,
                                    gene_network::RandomNetwork::check_only);
      },
      [](const engine::ModelSetup& setup) {
        std::vector<std::filesystem::path> files;
        if (auto file = gene_network::edge_file(setup.parameters, setup.config_dir))
          files.push_back(std::move(*file));
        return files;
      }});
}

}  // namespace cohort::models
