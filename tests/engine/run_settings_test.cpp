// Run configurations: the run schema composed with the model's, defaults, budgets, --set
// overrides, the config hash, and the exact message of each kind of mistake.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/models/builtin.hpp"
#include "support/builtin_registry.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;

namespace {

using cohort::testing::builtin_registry;

// Config files in a fresh temporary directory, removed with it.
class ConfigFiles {
 public:
  fs::path write(const std::string& yaml) {
    const fs::path file = dir_ / ("config" + std::to_string(++files_) + ".yaml");
    std::ofstream(file) << yaml;
    return file;
  }
  RunSettings load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
    return load_run_settings(builtin_registry(), write(yaml), sets);
  }

 private:
  cohort::testing::TempDir dir_{"cohort_run_settings"};
  int files_ = 0;
};

// what() of the ConfigError loading `yaml` with `sets` throws, with the file's path as "F",
// or "valid".
std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  ConfigFiles files;
  const fs::path file = files.write(yaml);
  try {
    load_run_settings(builtin_registry(), file, sets);
    return "valid";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    const std::string path = file.string();
    for (std::size_t at = message.find(path); at != std::string::npos;
         at = message.find(path, at + 1))
      message.replace(at, path.size(), "F");
    return message;
  }
}

struct BadRun {
  const char* what;
  std::string yaml;
  std::vector<std::string> sets;
  std::string message;
};

const std::string kModel = "model: random_walk\n";

const std::vector<BadRun>& bad_runs() {
  static const std::vector<BadRun> runs = {
      {"unknown model with a near name",
       "model: random_wlk\n",
       {},
       "F:1:8: model: expected a registered model ({models}), got 'random_wlk'; did you "
       "mean 'random_walk'?"},
      {"unknown model with no near name",
       "steps: 3\nmodel: sugarscape\n",
       {},
       "F:2:8: model: expected a registered model ({models}), got 'sugarscape'"},
      {"missing model",
       "seed: 1\nsteps: 3\n",
       {},
       "F:1:1: model: required key is missing (expected a string naming the model)"},
      {"empty file",
       "",
       {},
       "F: model: required key is missing (expected a string naming the model)"},
      {"model not a string",
       "model: [random_walk]\n",
       {},
       "F:1:8: model: expected a string naming the model, got a list of 1 item"},
      {"top-level typo",
       kModel + "seeed: 3\n",
       {},
       "F:2:1: seeed: unknown key; did you mean 'seed'? (valid keys: model, plugins, seed, steps, "
       "threads, output, monitor, populations, parameters)"},
      {"population typo",
       kModel + "populations:\n  walker:\n    size: 10\n",
       {},
       "F:3:3: populations.walker: unknown key; did you mean 'walkers'? (valid keys: walkers)"},
      {"negative size",
       kModel + "populations:\n  walkers:\n    size: -5\n",
       {},
       "F:4:11: populations.walkers.size: expected an integer in [0, 4294967294], got -5"},
      {"size beyond the id space",
       kModel + "populations: {walkers: {size: 4294967295}}\n",
       {},
       "F:2:31: populations.walkers.size: expected an integer in [0, 4294967294], got 4294967295"},
      {"hard budget with a bad unit",
       kModel + "populations:\n  walkers:\n    budget:\n      hard: 16XB\n",
       {},
       "F:5:13: populations.walkers.budget.hard: expected a byte size in [0 B, 2147483647 B] "
       "(a number of bytes, optionally with unit B, KiB, MiB, GiB, KB, MB or GB), got '16XB'"},
      {"hard budget over the ledger's limit",
       kModel + "populations: {walkers: {budget: {hard: 2GiB}}}\n",
       {},
       "F:2:40: populations.walkers.budget.hard: expected a byte size in [0 B, 2147483647 B], "
       "got '2GiB'"},
      {"low water above soft",
       kModel + "populations:\n  walkers:\n    budget: {hard: 1KiB, soft: 0.7, low_water: 0.75}\n",
       {},
       "F:4:48: populations.walkers.budget.low_water: expected a fraction no larger than soft "
       "(0.7), got 0.75"},
      {"low water above the default soft",
       kModel + "populations: {walkers: {budget: {low_water: 0.95}}}\n",
       {},
       "F:2:45: populations.walkers.budget.low_water: expected a fraction no larger than soft "
       "(0.9), got 0.95"},
      {"soft of zero",
       kModel + "populations: {walkers: {budget: {soft: 0}}}\n",
       {},
       "F:2:40: populations.walkers.budget.soft: expected a real number in [0.01, 1], got 0"},
      {"bad refusal policy",
       kModel + "populations: {walkers: {on_refusal: frezze}}\n",
       {},
       "F:2:37: populations.walkers.on_refusal: expected one of fail, freeze, got 'frezze'; did "
       "you mean 'freeze'?"},
      {"word for steps",
       kModel + "steps: many\n",
       {},
       "F:2:8: steps: expected an integer in [1, 1099511627776], got 'many'"},
      {"real for steps",
       kModel + "steps: 10.5\n",
       {},
       "F:2:8: steps: expected an integer in [1, 1099511627776], got 10.5"},
      {"zero steps",
       kModel + "steps: 0\n",
       {},
       "F:2:8: steps: expected an integer in [1, 1099511627776], got 0"},
      {"negative seed", kModel + "seed: -1\n", {}, "F:2:7: seed: expected an integer >= 0, got -1"},
      {"too many threads",
       kModel + "threads: 5000\n",
       {},
       "F:2:10: threads: expected an integer in [0, 1024], got 5000"},
      {"report every 0 steps",
       kModel + "output:\n  every: 0\n",
       {},
       "F:3:10: output.every: expected an integer >= 1, got 0"},
      {"output typo",
       kModel + "output:\n  directory: out/x\n",
       {},
       "F:3:3: output.directory: unknown key (valid keys: dir, every, checkpoint_every, "
       "snapshots)"},
      {"model parameter typo",
       kModel + "parameters:\n  widht: 10\n",
       {},
       "F:3:3: parameters.widht: unknown key; did you mean 'width'? (valid keys: width, height, "
       "move_probability, birth_rate, death_rate, trail_capacity)"},
      {"model parameter out of range",
       kModel + "parameters:\n  move_probability: 1.5\n",
       {},
       "F:3:21: parameters.move_probability: expected a real number in [0, 1], got 1.5"},
      {"trail longer than the model allows",
       kModel + "parameters: {trail_capacity: 1025}\n",
       {},
       "F:2:30: parameters.trail_capacity: expected an integer in [0, 1024], got 1025"},
      {"several problems, in file order",
       kModel + "steps: 0\nparameters:\n  width: 0\nseeed: 1\n",
       {},
       "F:2:8: steps: expected an integer in [1, 1099511627776], got 0\n"
       "F:4:10: parameters.width: expected an integer in [1, 65535], got 0\n"
       "F:5:1: seeed: unknown key; did you mean 'seed'? (valid keys: model, plugins, seed, steps, "
       "threads, output, monitor, populations, parameters)"},
      {"--set with a bad value",
       kModel,
       {"steps=0"},
       "--set steps=0: steps: expected an integer in [1, 1099511627776], got 0"},
      {"--set of an unknown parameter",
       kModel,
       {"parameters.widht=5"},
       "--set parameters.widht=5: parameters.widht: unknown key; did you mean 'width'? (valid "
       "keys: width, height, move_probability, birth_rate, death_rate, trail_capacity)"},
      {"--set of an unknown model",
       kModel,
       {"model=random_wak"},
       "--set model=random_wak: model: expected a registered model ({models}), got "
       "'random_wak'; did you mean 'random_walk'?"},
      {"--set of low water above the file's soft",
       kModel + "populations: {walkers: {budget: {soft: 0.5}}}\n",
       {"populations.walkers.budget.low_water=0.6"},
       "--set populations.walkers.budget.low_water=0.6: populations.walkers.budget.low_water: "
       "expected a fraction no larger than soft (0.5), got 0.6"},
      {"--set through a scalar",
       kModel + "steps: 4\n",
       {"steps.count=3"},
       "--set steps.count=3: steps: expected a map to set 'count' in, got 4"},
      {"malformed --set",
       kModel,
       {"steps"},
       "--set steps: expected key.path=value (keys separated by '.', list items as key[index])"},
      {"a percentage that is not a number",
       kModel + "monitor: {limit: 1GiB, alerts: {rss: {info: nan%}}}\n",
       {},
       "F:2:45: monitor.alerts.rss.info: expected a percentage such as \"80%\", got 'nan%'"},
      {"a share that is not a number",
       kModel + "monitor: {alerts: {over_soft_share: {warning: nan}}}\n",
       {},
       "F:2:47: monitor.alerts.over_soft_share.warning: expected a fraction in [0, 1] or a "
       "percentage, got 'nan'"},
      {"--set problems after the file's",
       kModel + "seed: x\n",
       {"threads=-1"},
       "F:2:7: seed: expected an integer >= 0, got 'x'\n"
       "--set threads=-1: threads: expected an integer in [0, 1024], got -1"},
  };
  return runs;
}

}  // namespace

TEST_CASE("each bad run config is refused with its exact message") {
  // Every registered model is listed, in registration order (random_walk among them).
  std::string models;
  for (const std::string& name : builtin_registry().names())
    models += (models.empty() ? "" : ", ") + name;
  for (const BadRun& run : bad_runs()) {
    const std::string what = run.what;
    CAPTURE(what);
    std::string message = run.message;
    if (const auto at = message.find("{models}"); at != std::string::npos)
      message.replace(at, 8, models);
    CHECK(error_of(run.yaml, run.sets) == message);
  }
}

TEST_CASE("a minimal config gets every default") {
  ConfigFiles files;
  const fs::path file = files.write(kModel);
  const RunSettings s = load_run_settings(builtin_registry(), file);
  CHECK(s.config_file == file);
  CHECK(s.model == "random_walk");
  CHECK(s.seed == 42);
  CHECK(s.steps == 100);
  CHECK(s.threads == 0);
  CHECK(s.out_dir == fs::path("out/random_walk"));
  CHECK(s.report_every == 1);
  CHECK(s.checkpoint_every == 0);
  REQUIRE(s.populations.size() == 1);
  const PopulationSetup& walkers = s.populations[0];
  CHECK(walkers.name == "walkers");
  CHECK(walkers.size == 1000);
  CHECK(walkers.on_refusal == RefusalPolicy::fail);
  CHECK(walkers.options.agent_ledger);
  // The model's default budget, 2 KiB, with the default fractions 0.9 and 0.8 (rounded down).
  CHECK(walkers.options.budget.hard == 2048);
  CHECK(walkers.options.budget.soft == 1843);
  CHECK(walkers.options.budget.low_water == 1638);
  CHECK(s.parameters().at("width").as_int() == 100);
  CHECK(s.parameters().at("height").as_int() == 100);
  CHECK(s.parameters().at("move_probability").as_real() == 1.0);
  CHECK(s.parameters().at("birth_rate").as_real() == 0.0);
  CHECK(s.parameters().at("death_rate").as_real() == 0.0);
  CHECK(s.parameters().at("trail_capacity").as_int() == 64);
  CHECK(s.root.at("populations").at("walkers").at("budget").at("hard").as_bytes() == 2048);
}

TEST_CASE("every key of a full config is read") {
  ConfigFiles files;
  const RunSettings s = files.load(
      "model: random_walk\nseed: 9\nsteps: 250\nthreads: 3\noutput:\n  dir: results/a\n"
      "  every: 10\n  checkpoint_every: 50\npopulations:\n  walkers:\n    size: 12345\n"
      "    on_refusal: freeze\nparameters:\n  width: 7\n  birth_rate: 0.25\n");
  CHECK(s.seed == 9);
  CHECK(s.steps == 250);
  CHECK(s.threads == 3);
  CHECK(s.out_dir == fs::path("results/a"));
  CHECK(s.report_every == 10);
  CHECK(s.checkpoint_every == 50);
  CHECK(s.populations.at(0).size == 12345);
  CHECK(s.populations.at(0).on_refusal == RefusalPolicy::freeze);
  CHECK(s.parameters().at("width").as_int() == 7);
  CHECK(s.parameters().at("height").as_int() == 100);
  CHECK(s.parameters().at("birth_rate").as_real() == 0.25);
}

TEST_CASE("budgets: byte sizes with units and fractions become BudgetLimits") {
  ConfigFiles files;
  const auto budget = [&](const std::string& text) {
    return files.load(kModel + "populations:\n  walkers:\n    budget: " + text + "\n")
        .populations.at(0)
        .options.budget;
  };
  using cohort::memory::BudgetLimits;
  const BudgetLimits kib = budget("{hard: 16KiB, soft: 0.75, low_water: 0.5}");
  CHECK(kib.hard == 16384);
  CHECK(kib.soft == 12288);
  CHECK(kib.low_water == 8192);
  CHECK(kib == BudgetLimits::from_hard(16384, 0.75, 0.5));
  CHECK(budget("{hard: 16 KiB}") == BudgetLimits::from_hard(16384, 0.9, 0.8));
  CHECK(budget("{hard: 1.5 KB}") == BudgetLimits::from_hard(1500, 0.9, 0.8));
  CHECK(budget("{hard: 320B, soft: 0.9, low_water: 0.85}") ==
        BudgetLimits::from_hard(320, 0.9, 0.85));
  CHECK(budget("{hard: 4096}").hard == 4096);
  CHECK(budget("{hard: 1000, soft: 0.5, low_water: 0.5}").low_water == 500);
  // A default low water keeps its proportion to an explicit lower soft limit: 0.5 * 0.8 / 0.9.
  CHECK(budget("{hard: 900, soft: 0.5}") == BudgetLimits::from_hard(900, 0.5, 0.5 * 0.8 / 0.9));
  CHECK(budget("{hard: 900, soft: 0.5}").low_water == 400);
  CHECK(budget("{hard: 0}") == BudgetLimits::unlimited());
  CHECK(budget("{hard: 0, soft: 0.5, low_water: 0.5}") == BudgetLimits::unlimited());
  CHECK(budget("{hard: 2147483647B}").hard == 2147483647u);
}

TEST_CASE("--set overrides change steps and parameters, and validate like the file") {
  ConfigFiles files;
  const std::string yaml = kModel + "steps: 20\nparameters:\n  birth_rate: 0.1\n";
  const RunSettings plain = files.load(yaml);
  CHECK(plain.steps == 20);
  CHECK(plain.parameters().at("birth_rate").as_real() == 0.1);

  const RunSettings set =
      files.load(yaml, {"steps=7", "parameters.birth_rate=0.5", "populations.walkers.size=64",
                        "output.dir=elsewhere", "populations.walkers.budget.hard=1KiB"});
  CHECK(set.steps == 7);
  CHECK(set.parameters().at("birth_rate").as_real() == 0.5);
  CHECK(set.populations.at(0).size == 64);
  CHECK(set.out_dir == fs::path("elsewhere"));
  CHECK(set.populations.at(0).options.budget.hard == 1024);
  CHECK(set.parameters().at("birth_rate").location().to_string() ==
        "--set parameters.birth_rate=0.5");

  // The last assignment to a key wins; an empty value is an error, not the default.
  CHECK(files.load(yaml, {"steps=7", "steps=8"}).steps == 8);
  CHECK_THROWS_AS(files.load(yaml, {"steps="}), ConfigError);
  // --set may create a section the file does not have.
  CHECK(files.load(kModel, {"parameters.width=12"}).parameters().at("width").as_int() == 12);
}

TEST_CASE("the config hash covers what determines the simulation, and only that") {
  ConfigFiles files;
  const std::string base =
      "model: random_walk\nseed: 5\nsteps: 30\nthreads: 1\noutput: {dir: out/a, every: 2}\n"
      "populations: {walkers: {size: 100}}\nparameters: {birth_rate: 0.1}\n";
  const std::uint64_t hash = files.load(base).config_hash;
  CHECK(hash != 0);
  CHECK(files.load(base).config_hash == hash);  // stable

  SUBCASE("unchanged by steps, threads and output settings") {
    CHECK(files.load(base, {"steps=31"}).config_hash == hash);
    CHECK(files.load(base, {"threads=2"}).config_hash == hash);
    CHECK(files.load(base, {"output.dir=out/b"}).config_hash == hash);
    CHECK(files.load(base, {"output.every=5"}).config_hash == hash);
    CHECK(files.load(base, {"output.checkpoint_every=10"}).config_hash == hash);
    CHECK(files.load(base, {"steps=1", "threads=0", "output.dir=x"}).config_hash == hash);
  }
  SUBCASE("unchanged by how equal values are written") {
    CHECK(files.load(base, {"parameters.birth_rate=0.10"}).config_hash == hash);
    CHECK(files.load(base, {"parameters.width=100"}).config_hash == hash);  // the default
    CHECK(files.load(base + "# a comment\n").config_hash == hash);
  }
  SUBCASE("changed by a parameter, the seed, a population or its budget") {
    CHECK(files.load(base, {"parameters.birth_rate=0.2"}).config_hash != hash);
    CHECK(files.load(base, {"parameters.width=99"}).config_hash != hash);
    CHECK(files.load(base, {"seed=6"}).config_hash != hash);
    CHECK(files.load(base, {"populations.walkers.size=101"}).config_hash != hash);
    CHECK(files.load(base, {"populations.walkers.budget.hard=4KiB"}).config_hash != hash);
    CHECK(files.load(base, {"populations.walkers.on_refusal=freeze"}).config_hash != hash);
  }
}

TEST_CASE("the run schema has the run keys, then the model's populations and parameters") {
  const ModelInfo* model = builtin_registry().find("random_walk");
  REQUIRE(model != nullptr);
  const ParamSpec schema = run_schema(*model);
  std::vector<std::string> keys;
  for (const ParamSpec& field : schema.fields)
    keys.push_back(field.name);
  CHECK(keys == std::vector<std::string>{"model", "plugins", "seed", "steps", "threads", "output",
                                         "monitor", "populations", "parameters"});
  const ParamSpec* populations = schema.find_field("populations");
  REQUIRE(populations != nullptr);
  REQUIRE(populations->fields.size() == 1);
  CHECK(populations->fields[0].name == "walkers");
  const ParamSpec* parameters = schema.find_field("parameters");
  REQUIRE(parameters != nullptr);
  CHECK(parameters->fields.size() == model->parameters.fields.size());
}
