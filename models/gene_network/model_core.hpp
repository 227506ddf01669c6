#pragma once
// The gene_network model behind the engine::Model interface, in the precision the config asks
// for: the wrapper in gene_network.cpp forwards to a ModelCore built by build_core().

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/model.hpp"
#include "cohort/engine/world.hpp"

namespace cohort::models::gene_network {

/// The precision-independent face of the model (called per run or per report, never per agent).
class ModelCore {
 public:
  virtual ~ModelCore() = default;
  virtual std::vector<std::string> metric_names() const = 0;
  virtual std::vector<double> metrics(engine::World& world) = 0;
  virtual void save(engine::CheckpointWriter& out) const = 0;
  virtual void load(engine::World& world, engine::CheckpointReader& in) = 0;
  virtual void write_outputs(const std::filesystem::path& dir) const = 0;
  virtual void release(engine::World& world) = 0;
};

/// Reads the parameters, creates the population, its genomes and the systems of a generation.
/// Throws engine::ConfigError for parameters that do not fit together.
std::unique_ptr<ModelCore> build_core(engine::World& world, const engine::ModelSetup& setup);

}  // namespace cohort::models::gene_network
