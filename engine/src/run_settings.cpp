#include "cohort/engine/run_settings.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cohort/engine/agent_index.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"
#include "cohort/memory/process_memory.hpp"

namespace cohort::engine {

namespace {

ParamSpec population_spec(const PopulationDecl& decl) {
  return ParamSpec::object(
      decl.name,
      {ParamSpec::integer("size", decl.default_size, "number of agents at the start")
           .range(0, AgentId::kMaxIndex),
       ParamSpec::object(
           "budget",
           {ParamSpec::bytes("hard", decl.default_budget_bytes,
                             "hard memory limit per agent (0 = unlimited), e.g. 16KiB")
                .range(0, memory::BudgetLimits::kMaxBytes),
            ParamSpec::real("soft", 0.9, "fraction of hard at which reclaimers run").range(0.01, 1),
            ParamSpec::real("low_water", 0.8, "fraction of hard reclaimers free down to")
                .range(0.01, 1)},
           "per-agent memory budget"),
       ParamSpec::object(
           "population_budget",
           {ParamSpec::bytes("hard", 0,
                             "memory limit of the whole population, agents' fixed and variable "
                             "bytes (0 = unlimited); births beyond it are refused, e.g. 64MiB"),
            ParamSpec::real("soft", 0.9, "fraction of hard reported as the soft limit")
                .range(0.01, 1)},
           "memory budget of the whole population, checked at each birth"),
       ParamSpec::choice("on_refusal", "fail", {"fail", "freeze"},
                         "when an allocation or a birth is refused: stop the run (exit 3), or "
                         "freeze the agent's growth (refuse and count the birth) and continue")},
      decl.help);
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : text)
    hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// The contents of a file the run reads, for the config hash. The model's check has already
// reported a missing or unreadable file at its key; failing here is a race with its removal.
std::string read_input_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::filesystem::filesystem_error("input file is not a regular file", path, ec);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::filesystem::filesystem_error("cannot read input file", path, ec);
  return std::move(text).str();
}

std::string fraction_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The engine's own bytes per agent: its handle slot and row's slot index, and its uid.
constexpr std::uint64_t kEngineBytesPerAgent = AgentIndex::kBytesPerAgent + sizeof(Uid);

std::string gib_text(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

// Populations whose agents cannot fit in this machine's memory are refused before anything is
// allocated, with the estimate (a lower bound: the engine's bytes and the model's declared
// minimum per agent), instead of ending in std::bad_alloc or the kernel's OOM killer. The
// largest population is named.
void check_agents_fit(const ConfigValue& populations, const std::vector<PopulationDecl>& decls,
                      const std::vector<PopulationSetup>& setups) {
  const std::uint64_t physical = memory::ProcessMemory::physical();
  if (physical == 0) return;
  double total = 0, largest = -1;
  std::size_t which = 0;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    const double bytes = static_cast<double>(setups[i].size) *
                         static_cast<double>(kEngineBytesPerAgent + decls[i].min_bytes_per_agent);
    total += bytes;
    if (bytes > largest) largest = bytes, which = i;
  }
  if (total <= static_cast<double>(physical)) return;
  const ConfigValue& size = populations.at(decls[which].name).at("size");
  throw ConfigError(
      size.location(), size.path(),
      "agents that fit in this machine's memory (" + gib_text(static_cast<double>(physical)) + ")",
      std::to_string(setups[which].size) + " agents, an estimated " + gib_text(total) +
          " at least (" + std::to_string(kEngineBytesPerAgent + decls[which].min_bytes_per_agent) +
          " B per agent" + (decls.size() > 1 ? ", all populations" : "") + ")");
}

PopulationSetup population_setup(const ConfigValue& v, const std::string& name) {
  PopulationSetup p;
  p.name = name;
  p.size = static_cast<std::uint64_t>(v.at("size").as_int());
  const ConfigValue& budget = v.at("budget");
  const std::uint64_t hard = budget.at("hard").as_bytes();
  const double soft = budget.at("soft").as_real();
  double low = budget.at("low_water").as_real();
  // A default low water follows an explicit lower soft limit, keeping the default proportion,
  // so `soft: 0.5` alone is valid; an explicit low water above soft is the user's error.
  if (low > soft && budget.at("low_water").location().file == "(default)") low = soft * 0.8 / 0.9;
  if (low > soft)
    throw ConfigError(budget.at("low_water").location(), budget.at("low_water").path(),
                      "a fraction no larger than soft (" + fraction_text(soft) + ")",
                      fraction_text(low));
  p.options.budget = hard == 0 ? memory::BudgetLimits::unlimited()
                               : memory::BudgetLimits::from_hard(hard, soft, low);
  p.on_refusal =
      v.at("on_refusal").as_string() == "freeze" ? RefusalPolicy::freeze : RefusalPolicy::fail;
  const ConfigValue& population_budget = v.at("population_budget");
  const std::uint64_t pop_hard = population_budget.at("hard").as_bytes();
  if (pop_hard != 0)
    p.options.population_budget =
        memory::PopulationLimits::from_hard(pop_hard, population_budget.at("soft").as_real());
  p.options.fail_on_refused_birth = p.on_refusal == RefusalPolicy::fail;
  return p;
}

}  // namespace

ParamSpec run_schema(const ModelInfo& model) {
  std::vector<ParamSpec> pops;
  for (const PopulationDecl& decl : model.populations)
    pops.push_back(population_spec(decl));
  ParamSpec parameters = model.parameters;
  parameters.name = "parameters";
  std::vector<ParamSpec> fields{
      ParamSpec::string("model", "", "name of the model (see `cohort models`)").required(),
      ParamSpec::list("plugins",
                      ParamSpec::string("plugin", std::nullopt, "path to a plugin library"),
                      "shared libraries that add models, relative to this file")
          .with_default("[]"),
      ParamSpec::integer("seed", 42, "random seed: same seed, same results").min(0),
      ParamSpec::integer("steps", 100, "steps to run").range(1, 1ll << 40),
      ParamSpec::integer("threads", 0, "worker threads (0 = all hardware threads)").range(0, 1024),
      ParamSpec::object(
          "output",
          {ParamSpec::string("dir", "out/" + model.name, "output directory"),
           ParamSpec::integer("every", 1, "report metrics every this many steps").min(1),
           ParamSpec::integer("checkpoint_every", 0,
                              "write a checkpoint every this many steps (0 = only on a signal)")
               .min(0),
           ParamSpec::object(
               "snapshots",
               {ParamSpec::integer("every", 0,
                                   "write every agent's row every this many steps (0 = never)")
                    .min(0),
                ParamSpec::list("populations",
                                ParamSpec::string("population", std::nullopt, "a population"),
                                "populations to snapshot ([] = all)")
                    .with_default("[]"),
                ParamSpec::list("columns",
                                ParamSpec::string("column", std::nullopt, "a component column"),
                                "columns to write ([] = every column that holds numbers)")
                    .with_default("[]"),
                ParamSpec::boolean("compress", false,
                                   "gzip the files (snapshots_<population>.csv.gz), one member "
                                   "per step: pandas and zcat read them as they are")},
               "per-agent snapshots: snapshots_<population>.csv with step, uid and columns")},
          "where and how often to write results"),
      monitor_schema(),
      ParamSpec::object("populations", std::move(pops), "sizes and budgets of the populations"),
      std::move(parameters)};
  if (model.space) {
    ParamSpec space = *model.space;
    space.name = "space";
    fields.push_back(std::move(space));
  }
  return ParamSpec::object("run", std::move(fields), "a cohort run");
}

ModelSetup RunSettings::model_setup() const {
  ModelSetup setup{parameters(), populations, config_file.parent_path()};
  setup.space = space();
  setup.metrics_every = report_every;
  setup.last_step = steps;
  return setup;
}

std::vector<std::filesystem::path> config_plugins(const std::filesystem::path& file,
                                                  const std::vector<std::string>& overrides) {
  YAML::Node doc = load_yaml_file(file);
  ConfigOverrides applied;
  for (const std::string& o : overrides)
    apply_override(doc, o, applied);
  std::vector<std::filesystem::path> plugins;
  const YAML::Node list = doc.IsMap() ? doc["plugins"] : YAML::Node();
  if (!list.IsDefined() || list.IsNull()) return plugins;
  const auto bad = [&](const YAML::Node& at, const std::string& key, const std::string& got) {
    const YAML::Mark m = at.Mark();
    return ConfigError(applied.location_of(key, {file.string(), m.line + 1, m.column + 1}), key,
                       "a list of plugin library paths", got);
  };
  if (!list.IsSequence()) throw bad(list, "plugins", "'" + YAML::Dump(list) + "'");
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar())
      throw bad(list[i], "plugins[" + std::to_string(i) + "]", "'" + YAML::Dump(list[i]) + "'");
    // Like every file a config names, a plugin path is relative to the config's folder.
    const std::filesystem::path p = list[i].as<std::string>();
    plugins.push_back(p.is_absolute() ? p : file.parent_path() / p);
  }
  return plugins;
}

RunSettings load_run_settings(const ModelRegistry& registry, const std::filesystem::path& file,
                              const std::vector<std::string>& overrides) {
  YAML::Node doc = load_yaml_file(file);
  ConfigOverrides applied;
  for (const std::string& o : overrides)
    apply_override(doc, o, applied);
  const std::string model_name = read_model_name(doc, file.string(), applied);
  const ModelInfo* model = registry.find(model_name);
  if (model == nullptr) {
    const YAML::Mark mark = doc["model"].Mark();
    const std::string suggestion = nearest(model_name, registry.names());
    std::string known;
    for (const std::string& n : registry.names())
      known += (known.empty() ? "" : ", ") + n;
    throw ConfigError(applied.location_of("model", {file.string(), mark.line + 1, mark.column + 1}),
                      "model", "a registered model (" + known + ")", "'" + model_name + "'",
                      suggestion);
  }

  RunSettings s;
  s.config_file = file;
  s.root = validate(doc, run_schema(*model), file.string(), applied);
  s.model = model_name;
  s.seed = static_cast<std::uint64_t>(s.root.at("seed").as_int());
  s.steps = static_cast<std::uint64_t>(s.root.at("steps").as_int());
  s.threads = static_cast<std::size_t>(s.root.at("threads").as_int());
  const ConfigValue& output = s.root.at("output");
  s.out_dir = output.at("dir").as_string();
  if (s.out_dir.empty())
    throw ConfigError(output.at("dir").location(), output.at("dir").path(),
                      "a directory path (not empty)", "''");
  s.report_every = static_cast<std::uint64_t>(output.at("every").as_int());
  s.checkpoint_every = static_cast<std::uint64_t>(output.at("checkpoint_every").as_int());
  s.monitor = monitor_settings_from(s.root.at("monitor"));
  s.snapshots = snapshot_settings_from(output.at("snapshots"));
  for (const PopulationDecl& decl : model->populations)
    s.populations.push_back(population_setup(s.root.at("populations").at(decl.name), decl.name));
  check_agents_fit(s.root.at("populations"), model->populations, s.populations);
  if (model->check) model->check(s.model_setup(), s.seed);
  std::uint64_t h = fnv1a(s.model);
  h = fnv1a(s.root.at("seed").to_yaml(), h);
  h = fnv1a(s.root.at("populations").to_yaml(), h);
  h = fnv1a(s.root.at("parameters").to_yaml(), h);
  if (const ConfigValue* space = s.space()) h = fnv1a(space->to_yaml(), h);
  if (model->input_files) {
    s.input_files = model->input_files(s.model_setup());
    for (const std::filesystem::path& input : s.input_files)
      h = fnv1a(read_input_file(input), fnv1a(input.string(), h));
  }
  s.config_hash = h;
  return s;
}

}  // namespace cohort::engine
