#pragma once
// What a model provides to the engine, and the registry models add themselves to.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/config_value.hpp"
#include "cohort/engine/param_spec.hpp"
#include "cohort/engine/population.hpp"

namespace cohort::engine {

class World;

/// What to do when an agent's allocation is refused by its hard budget.
enum class RefusalPolicy : std::uint8_t {
  fail,    ///< stop the run with the typed budget error (exit code 3)
  freeze,  ///< keep the agent as it is (e.g. stop recording its history) and continue
};

/// How a metric is written: a real (round-trip exact) or a count (an integer).
enum class MetricKind : std::uint8_t { real, count };

/// A population a model declares, with its configurable defaults.
struct PopulationDecl {
  std::string name;
  std::int64_t default_size = 1000;
  std::string help;
  std::uint64_t default_budget_bytes = 0;  ///< 0 = unlimited
  /// The fewest bytes each agent takes beyond the engine's own per-agent bookkeeping (its value
  /// columns and per-agent side arrays; 0: unknown), for the memory estimate that refuses a run
  /// which cannot fit in the machine before anything is allocated.
  std::uint64_t min_bytes_per_agent = 0;
};

/// A declared population as configured for this run.
struct PopulationSetup {
  std::string name;
  std::uint64_t size = 0;
  PopulationOptions options;
  RefusalPolicy on_refusal = RefusalPolicy::fail;
};

/// Everything a model is built from.
struct ModelSetup {
  const ConfigValue& parameters;
  std::vector<PopulationSetup> populations;  ///< in declaration order
  std::filesystem::path config_dir;          ///< for parameters that name files
  /// The validated top-level `space:` block, or nullptr when the model declares no space.
  const ConfigValue* space = nullptr;
  /// The run records metrics() at step 0, after every step divisible by `metrics_every`, after
  /// `last_step` and when the run ends early. A model whose observables cost work in a system
  /// (lj_melt's pair energy) does that work on those steps only, and computes them on demand if
  /// asked at another step (a resume may change both).
  std::uint64_t metrics_every = 1;
  std::uint64_t last_step = 0;

  const PopulationSetup& population(std::string_view name) const;
};

/// A model instance for one run. Its virtual functions are called per run or per report, never
/// per agent: per-agent work happens in the systems it adds to the world.
class Model {
 public:
  virtual ~Model() = default;
  /// Creates populations, components and systems, and the initial agents.
  virtual void build(World& world, const ModelSetup& setup) = 0;
  /// Names of the per-step metrics, in CSV column order.
  virtual std::vector<std::string> metric_names() const = 0;
  /// The kind of each metric, in the same order; empty means all real.
  virtual std::vector<MetricKind> metric_kinds() const { return {}; }
  /// Values of the metrics for the world's current state (main thread; use World::reduce).
  virtual std::vector<double> metrics(World& world) = 0;
  /// State outside value columns (pooled variable-size data, by content), for checkpoints.
  /// load() runs with budgets suspended: it re-charges exactly what the saved run held.
  /// A distributed model (ModelInfo::distributed) saves on every rank, where it may reduce over
  /// ranks, and the file keeps rank 0's section: it must not depend on the rank count. Its
  /// load() runs on every rank after every rank received every agent (in uid order): it keeps
  /// the agents of its own rank and rebuilds what follows from them.
  virtual void save(const World&, CheckpointWriter&) const {}
  virtual void load(World&, CheckpointReader&) {}
  /// Model-specific files written at the end of a run (e.g. a population dump).
  virtual void write_outputs(const World&, const std::filesystem::path& /*dir*/) const {}
  /// Frees data the model holds outside its agents (shared matrices), after every agent was
  /// destroyed. Per-agent data is freed by the population's release hook.
  virtual void release(World&) {}
};

/// A registered model: its name, parameters and populations, and how to make one.
struct ModelInfo {
  std::string name;
  std::string description;
  std::vector<PopulationDecl> populations;
  ParamSpec parameters;
  std::function<std::unique_ptr<Model>()> create;
  /// Optional checks across keys that a schema cannot express (e.g. elitism below the population
  /// size). Called by load_run_settings, so `cohort validate` reports them before any run; throws
  /// ConfigError.
  std::function<void(const ModelSetup& setup, std::uint64_t seed)> check = {};
  /// Optional: the files a run reads besides its config (e.g. a network's edge file). Their
  /// contents are part of the config hash, so a checkpoint is not resumed after one changed.
  std::function<std::vector<std::filesystem::path>(const ModelSetup& setup)> input_files = {};
  /// Schema of the top-level `space:` block (see the space library), when the model
  /// lives in a space; empty for models without one. Part of the config hash.
  std::optional<ParamSpec> space = {};
  /// Whether the model runs spread over MPI ranks (it decomposes its space); a run of any other
  /// model over more than one rank is refused. Such a model checkpoints in the portable layout
  /// (agents in uid order, value columns only), so a checkpoint resumes on any rank count.
  bool distributed = false;
};

/// The models a program knows. Models add themselves (see models/CMakeLists.txt); the engine
/// builds worlds from configs without knowing any model.
class ModelRegistry {
 public:
  /// Adds a model; throws std::invalid_argument on a duplicate or empty name.
  void add(ModelInfo info);
  const ModelInfo* find(std::string_view name) const;
  std::vector<std::string> names() const;
  const std::vector<ModelInfo>& all() const { return models_; }

 private:
  std::vector<ModelInfo> models_;
};

}  // namespace cohort::engine
