// The config layer on bad input: each case with the exact message a user would read.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"

using namespace cohort::engine;

namespace {

ParamSpec run_schema() {
  const ParamSpec budget =
      ParamSpec::object("budget",
                        {ParamSpec::bytes("hard", 16384, "").range(1024, 1 << 30),
                         ParamSpec::real("soft", 0.9, "").range(0, 1)},
                        "");
  const ParamSpec walkers =
      ParamSpec::object("walkers",
                        {ParamSpec::integer("size", 1000, "").min(1), budget,
                         ParamSpec::choice("on_refusal", "fail", {"fail", "freeze"}, "")},
                        "");
  const ParamSpec parameters = ParamSpec::object(
      "parameters",
      {ParamSpec::object(
           "mutation",
           {ParamSpec::real("rate", 0.1, "").range(0, 1), ParamSpec::boolean("enabled", true, "")},
           ""),
       ParamSpec::variant("expression", "constant",
                          {ParamSpec::object("constant", {ParamSpec::real("value", 1, "")}, ""),
                           ParamSpec::object("linear",
                                             {ParamSpec::real("slope", std::nullopt, ""),
                                              ParamSpec::real("intercept", 0, "")},
                                             "")},
                          ""),
       ParamSpec::variant(
           "selection", "none",
           {ParamSpec::object("none", {}, ""),
            ParamSpec::object("tournament", {ParamSpec::integer("size", 2, "").min(2)}, "")},
           ""),
       ParamSpec::list("edges",
                       ParamSpec::object("edge",
                                         {ParamSpec::integer("from", std::nullopt, "").min(0),
                                          ParamSpec::integer("to", std::nullopt, "").min(0)},
                                         ""),
                       "")
           .max(3)
           .with_default("[]")},
      "");
  return ParamSpec::object(
      "run",
      {ParamSpec::string("model", std::nullopt, ""), ParamSpec::integer("seed", 42, ""),
       ParamSpec::integer("steps", std::nullopt, "").min(1),
       ParamSpec::object(
           "output",
           {ParamSpec::string("dir", "out", ""), ParamSpec::integer("every", 1, "").min(1)}, ""),
       ParamSpec::object("populations", {walkers}, ""), parameters},
      "");
}

// Validates `yaml` as configs/x.yaml after the --set `sets`; returns what() or "valid".
std::string validation_message(const std::string& yaml, const std::vector<std::string>& sets) {
  try {
    YAML::Node doc = YAML::Load(yaml);
    ConfigOverrides sources;
    for (const std::string& s : sets)
      apply_override(doc, s, sources);
    validate(doc, run_schema(), "configs/x.yaml", sources);
    return "valid";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

struct BadConfig {
  const char* what;
  const char* yaml;
  std::vector<std::string> sets;
  const char* message;
};

// Starts every case with the two required keys, so each shows one problem.
const std::string kValid = "model: m\nsteps: 1\n";

const BadConfig kBadConfigs[] = {
    {"unknown key with a typo",
     "populaton: {}\n",
     {},
     "configs/x.yaml:3:1: populaton: unknown key; did you mean 'populations'? (valid keys: "
     "model, seed, steps, output, populations, parameters)"},
    {"unknown key nothing like a valid one",
     "parameters: {colour: red}\n",
     {},
     "configs/x.yaml:3:14: parameters.colour: unknown key (valid keys: mutation, expression, "
     "selection, edges)"},
    {"unknown key in a map with no keys",
     "parameters: {selection: {none: {x: 1}}}\n",
     {},
     "configs/x.yaml:3:33: parameters.selection.none.x: unknown key (no keys are valid here)"},
    {"real for an integer",
     "seed: 2.5\n",
     {},
     "configs/x.yaml:3:7: seed: expected an integer, got 2.5"},
    {"word for a real",
     "parameters: {mutation: {rate: fast}}\n",
     {},
     "configs/x.yaml:3:31: parameters.mutation.rate: expected a real number in [0, 1], got "
     "'fast'"},
    {"yes for a boolean",
     "parameters: {mutation: {enabled: yes}}\n",
     {},
     "configs/x.yaml:3:34: parameters.mutation.enabled: expected true or false, got 'yes'"},
    {"quoted number",
     "seed: \"7\"\n",
     {},
     "configs/x.yaml:3:7: seed: expected an integer, got '7' (a quoted string)"},
    {"map for a scalar",
     "seed: {a: 1}\n",
     {},
     "configs/x.yaml:3:7: seed: expected an integer, got a map"},
    {"list for a map",
     "output: [1]\n",
     {},
     "configs/x.yaml:3:9: output: expected a map with keys dir, every, got a list of 1 item"},
    {"null for a required value",
     "parameters: {edges: [{from: ~, to: 1}]}\n",
     {},
     "configs/x.yaml:3:23: parameters.edges[0].from: expected an integer >= 0, got null"},
    {"out of range",
     "parameters:\n  mutation:\n    rate: 1.5\n",
     {},
     "configs/x.yaml:5:11: parameters.mutation.rate: expected a real number in [0, 1], got 1.5"},
    {"below an integer minimum",
     "populations: {walkers: {size: 0}}\n",
     {},
     "configs/x.yaml:3:31: populations.walkers.size: expected an integer >= 1, got 0"},
    {"integer overflow",
     "seed: 9223372036854775808\n",
     {},
     "configs/x.yaml:3:7: seed: expected an integer, got 9223372036854775808 (beyond the "
     "largest integer, 2^63-1)"},
    {"missing required key in a nested map",
     "parameters:\n  expression:\n    linear: {intercept: 1}\n",
     {},
     "configs/x.yaml:5:13: parameters.expression.linear.slope: required key is missing "
     "(expected a real number)"},
    {"bad variant name as a scalar",
     "parameters: {selection: tournement}\n",
     {},
     "configs/x.yaml:3:25: parameters.selection: expected one of none, tournament, got "
     "'tournement'; did you mean 'tournament'?"},
    {"bad variant name as a key",
     "parameters:\n  expression:\n    lineer: {slope: 1}\n",
     {},
     "configs/x.yaml:5:5: parameters.expression: expected one of constant, linear, got "
     "'lineer'; did you mean 'linear'?"},
    {"variant name alone when fields are required",
     "parameters: {expression: linear}\n",
     {},
     "configs/x.yaml:3:26: parameters.expression: expected {linear: {...}} setting its "
     "required field slope, got 'linear'"},
    {"variant map with two keys",
     "parameters:\n  expression: {constant: {value: 2}, linear: {slope: 1}}\n",
     {},
     "configs/x.yaml:4:15: parameters.expression: expected exactly one of constant, linear, "
     "got 2 keys (constant, linear)"},
    {"variant as a list",
     "parameters: {selection: [none]}\n",
     {},
     "configs/x.yaml:3:25: parameters.selection: expected one of none, tournament, got a list "
     "of 1 item"},
    {"bad choice",
     "populations: {walkers: {on_refusal: frezee}}\n",
     {},
     "configs/x.yaml:3:37: populations.walkers.on_refusal: expected one of fail, freeze, got "
     "'frezee'; did you mean 'freeze'?"},
    {"bad bytes unit",
     "populations: {walkers: {budget: {hard: 16 kb}}}\n",
     {},
     "configs/x.yaml:3:40: populations.walkers.budget.hard: expected a byte size in [1 KiB, "
     "1 GiB] (a number of bytes, optionally with unit B, KiB, MiB, GiB, KB, MB or GB), got "
     "'16 kb'"},
    {"bytes out of range",
     "populations: {walkers: {budget: {hard: 2 GiB}}}\n",
     {},
     "configs/x.yaml:3:40: populations.walkers.budget.hard: expected a byte size in [1 KiB, "
     "1 GiB], got '2 GiB'"},
    {"list too long",
     "parameters:\n  edges: [{from: 0, to: 1}, {from: 1, to: 2}, "
     "{from: 2, to: 3}, {from: 3, to: 0}]\n",
     {},
     "configs/x.yaml:4:10: parameters.edges: expected a list of at most 3 items, got a list of "
     "4 items"},
    {"bad list item",
     "parameters:\n  edges:\n    - {from: 0, to: 1}\n    - {from: 1, to: -2}\n",
     {},
     "configs/x.yaml:6:21: parameters.edges[1].to: expected an integer >= 0, got -2"},
    {"duplicate key",
     "seed: 1\nseed: 2\n",
     {},
     "configs/x.yaml:4:1: seed: expected each key at most once, got 'seed' again (first at "
     "line 3)"},
    {"--set on an unknown key",
     "",
     {"parameters.mutaton.rate=0.5"},
     "--set parameters.mutaton.rate=0.5: parameters.mutaton: unknown key; did you mean "
     "'mutation'? (valid keys: mutation, expression, selection, edges)"},
    {"--set out of range",
     "",
     {"populations.walkers.size=0"},
     "--set populations.walkers.size=0: populations.walkers.size: expected an integer >= 1, "
     "got 0"},
    {"--set variant name",
     "",
     {"parameters.selection=tournement"},
     "--set parameters.selection=tournement: parameters.selection: expected one of none, "
     "tournament, got 'tournement'; did you mean 'tournament'?"},
    {"--set inside a map from the file",
     "parameters:\n  mutation: {rate: 0.5}\n",
     {"parameters.mutation.rates=0.5"},
     "--set parameters.mutation.rates=0.5: parameters.mutation.rates: unknown key; did you mean "
     "'rate'? (valid keys: rate, enabled)"},
};

// A file in a fresh temporary directory, removed with it.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("cohort_config_errors_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file) << text;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string load_message(const std::string& path) {
  try {
    load_yaml_file(path);
    return "loaded";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

std::string override_message(const std::string& yaml, const std::string& assignment) {
  try {
    YAML::Node doc = YAML::Load(yaml);
    ConfigOverrides sources;
    apply_override(doc, assignment, sources);
    return "applied";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("each bad config is reported with its exact message") {
  for (const BadConfig& c : kBadConfigs) {
    CAPTURE(c.what);
    CHECK(validation_message(kValid + c.yaml, c.sets) == c.message);
  }
}

TEST_CASE("every problem is reported, one per line in file order, --set ones last") {
  const std::string yaml = R"(steps: 0
populaton: {}
parameters:
  expression: {linear: {}}
  mutation: {rate: -1}
)";
  CHECK(validation_message(yaml, {"seed=x"}) ==
        "configs/x.yaml:1:1: model: required key is missing (expected a string)\n"
        "configs/x.yaml:1:8: steps: expected an integer >= 1, got 0\n"
        "configs/x.yaml:2:1: populaton: unknown key; did you mean 'populations'? (valid keys: "
        "model, seed, steps, output, populations, parameters)\n"
        "configs/x.yaml:4:24: parameters.expression.linear.slope: required key is missing "
        "(expected a real number)\n"
        "configs/x.yaml:5:20: parameters.mutation.rate: expected a real number in [0, 1], got -1\n"
        "--set seed=x: seed: expected an integer, got 'x'");
}

TEST_CASE("the first issue's fields are kept for programs") {
  try {
    validate(YAML::Load("model: m\nsteps: 1\nparameters: {selection: tournement}\n"), run_schema(),
             "configs/x.yaml");
    FAIL("validated");
  } catch (const ConfigError& e) {
    REQUIRE(e.issues().size() == 1);
    const ConfigIssue& issue = e.first();
    CHECK(issue.kind == IssueKind::bad_value);
    CHECK(issue.location == SourceLocation{"configs/x.yaml", 3, 25, ""});
    CHECK(issue.key_path == "parameters.selection");
    CHECK(issue.expected == "one of none, tournament");
    CHECK(issue.got == "'tournement'");
    CHECK(issue.suggestion == "tournament");
  }
}

TEST_CASE("checks after validation raise the same kind of error") {
  const ConfigValue c = validate(YAML::Load("model: m\nsteps: 1\n"), run_schema(), "x.yaml");
  const ConfigValue& soft = c.at("populations").at("walkers").at("budget").at("soft");
  const ConfigError e(soft.location(), soft.path(), "a fraction above low_water (0.95)", "0.9");
  CHECK(std::string(e.what()) ==
        "(default): populations.walkers.budget.soft: expected a "
        "fraction above low_water (0.95), got 0.9");
  const ConfigError model(SourceLocation{"x.yaml", 1, 8, ""}, "model", "a registered model",
                          "'flockng'", "flocking");
  CHECK(std::string(model.what()) ==
        "x.yaml:1:8: model: expected a registered model, got 'flockng'; did you mean 'flocking'?");
}

TEST_CASE("an empty document lists each required key") {
  CHECK(validation_message("", {}) ==
        "configs/x.yaml: model: required key is missing (expected a string)\n"
        "configs/x.yaml: steps: required key is missing (expected an integer >= 1)");
  CHECK(validation_message("[1, 2]", {}) ==
        "configs/x.yaml:1:1: expected a map with keys model, seed, steps, output, populations, "
        "parameters, got a list of 2 items");
}

TEST_CASE("files: missing, a directory, bad YAML with yaml-cpp's line and column") {
  const TempDir dir;
  CHECK(load_message(dir.path("missing.yaml")) ==
        dir.path("missing.yaml") + ": cannot read config file: No such file or directory");
  CHECK(load_message(dir.path("")) == dir.path("") + ": cannot read config file: Is a directory");
  const std::string unclosed = dir.write("unclosed.yaml", "model: m\nsteps: [1, 2\nseed: 3\n");
  CHECK(load_message(unclosed) == unclosed + ":3:5: invalid YAML: end of sequence flow not found");
  const std::string tabs = dir.write("bad_map.yaml", "model: m\n  steps: 1\n");
  CHECK(load_message(tabs) == tabs + ":2:8: invalid YAML: illegal map value");

  const std::string empty = dir.write("empty.yaml", "# nothing yet\n");
  CHECK(load_yaml_file(empty).IsMap());
  const std::string good = dir.write("good.yaml", "model: m\nsteps: 4\n");
  CHECK(validate(load_yaml_file(good), run_schema(), good).at("steps").location() ==
        SourceLocation{good, 2, 8, ""});
}

TEST_CASE("malformed or impossible --set assignments") {
  const std::string form =
      ": expected key.path=value (keys separated by '.', list items as key[index])";
  for (const char* bad : {"parametersfoo", "=5", "a..b=1", ".a=1", "a.=1", "edges[x]=1",
                          "edges[1=1", "edges[1]x=1"}) {
    CAPTURE(bad);
    CHECK(override_message("a: 1\n", bad) == std::string("--set ") + bad + form);
  }
  CHECK(override_message("seed: 42\n", "seed.x=1") ==
        "--set seed.x=1: seed: expected a map to set 'x' in, got 42");
  CHECK(override_message("edges: [{from: 0}]\n", "edges[5].from=1") ==
        "--set edges[5].from=1: edges: expected a list with an item [5], got a list of 1 item");
  CHECK(override_message("a: 1\n", "edges[0]=1") ==
        "--set edges[0]=1: edges: expected a list with an item [0], got nothing");
  CHECK(override_message("a: 1\n", "steps=[1,") ==
        "--set steps=[1,: steps: invalid YAML: end of sequence flow not found");
}

TEST_CASE("read_model_name: missing or not a string") {
  const auto message = [](const std::string& yaml) {
    try {
      read_model_name(YAML::Load(yaml), "configs/x.yaml");
      return std::string("found");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
  };
  CHECK(message("steps: 1\n") ==
        "configs/x.yaml:1:1: model: required key is missing (expected a string naming the "
        "model)");
  CHECK(message("steps: 1\nmodel: {name: x}\n") ==
        "configs/x.yaml:2:8: model: expected a string naming the model, got a map");
  CHECK(message("") ==
        "configs/x.yaml: model: required key is missing (expected a string naming the model)");
}
