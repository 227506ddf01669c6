// The config layer on valid input: every type, defaults, byte units, variants, lists, --set
// overrides, canonical serialisation and help text.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "cohort/engine/byte_size.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/engine/config_loader.hpp"

using namespace cohort::engine;

namespace {

ParamSpec population(std::string name) {
  return ParamSpec::object(
      std::move(name),
      {ParamSpec::integer("size", 1000, "agents at the start").min(1),
       ParamSpec::object(
           "budget",
           {ParamSpec::bytes("hard", 16384, "per-agent hard limit").min(1),
            ParamSpec::real("soft", 0.9, "soft limit, as a fraction of hard").range(0, 1),
            ParamSpec::real("low_water", 0.8, "reclaim down to this fraction").range(0, 1)},
           "per-agent memory budget"),
       ParamSpec::choice("on_refusal", "fail", {"fail", "freeze"}, "what a refusal does")},
      "a population");
}

ParamSpec parameters() {
  return ParamSpec::object(
      "parameters",
      {ParamSpec::object("mutation",
                         {ParamSpec::real("rate", 0.1, "mutation probability per gene").range(0, 1),
                          ParamSpec::boolean("enabled", true, "whether genes mutate")},
                         "how genomes change"),
       ParamSpec::variant(
           "expression", "constant",
           {ParamSpec::object("constant", {ParamSpec::real("value", 1, "the trait")},
                              "every gene gives the same trait"),
            ParamSpec::object("linear",
                              {ParamSpec::real("slope", std::nullopt, "trait per gene"),
                               ParamSpec::real("intercept", 0, "trait at zero")},
                              "trait grows with the gene")},
           "how genes map to traits"),
       ParamSpec::variant(
           "selection", "none",
           {ParamSpec::object("none", {}, "no selection"),
            ParamSpec::object("tournament", {ParamSpec::integer("size", 2, "entrants").min(2)},
                              "best of a random group")},
           "who reproduces"),
       ParamSpec::list("edges",
                       ParamSpec::object("edge",
                                         {ParamSpec::integer("from", std::nullopt, "").min(0),
                                          ParamSpec::integer("to", std::nullopt, "").min(0),
                                          ParamSpec::real("weight", 1, "")},
                                         "a directed link"),
                       "the network")
           .with_default("[]"),
       ParamSpec::list("rates", ParamSpec::real("rate", std::nullopt, ""), "per-stage rates")
           .with_default("[0.5]"),
       ParamSpec::string("label", "run", "free text")},
      "model parameters");
}

// Resembles the run schema the engine composes once it knows the model.
ParamSpec run_schema() {
  return ParamSpec::object(
      "run",
      {ParamSpec::string("model", std::nullopt, "model to run"),
       ParamSpec::integer("seed", 42, "master random seed"),
       ParamSpec::integer("steps", std::nullopt, "steps to run").min(1),
       ParamSpec::integer("threads", 0, "worker threads, 0 = hardware").min(0),
       ParamSpec::object("output",
                         {ParamSpec::string("dir", "out", "output directory"),
                          ParamSpec::integer("every", 1, "steps between metric rows").min(1),
                          ParamSpec::integer("checkpoint_every", 0, "0 = never").min(0)},
                         "what is written where"),
       ParamSpec::object("populations", {population("walkers")}, "the model's populations"),
       parameters()},
      "one run");
}

ConfigValue load(const std::string& text, const std::vector<std::string>& sets = {}) {
  YAML::Node doc = YAML::Load(text);
  ConfigOverrides sources;
  for (const std::string& s : sets)
    apply_override(doc, s, sources);
  return validate(doc, run_schema(), "configs/x.yaml", sources);
}

std::string where(const ConfigValue& v) {
  return v.location().to_string();
}

}  // namespace

TEST_CASE("defaults fill every key the file leaves out") {
  const ConfigValue c = load("model: flocking\nsteps: 10\n");
  CHECK(c.at("model").as_string() == "flocking");
  CHECK(c.at("steps").as_int() == 10);
  CHECK(c.at("seed").as_int() == 42);
  CHECK(c.at("threads").as_int() == 0);
  CHECK(c.at("output").at("dir").as_string() == "out");
  const ConfigValue& walkers = c.at("populations").at("walkers");
  CHECK(walkers.at("size").as_int() == 1000);
  CHECK(walkers.at("budget").at("hard").as_bytes() == 16384);
  CHECK(walkers.at("budget").at("soft").as_real() == 0.9);
  CHECK(walkers.at("on_refusal").as_string() == "fail");
  const ConfigValue& p = c.at("parameters");
  CHECK(p.at("mutation").at("rate").as_real() == 0.1);
  CHECK(p.at("mutation").at("enabled").as_bool());
  CHECK(p.at("expression").variant() == "constant");
  CHECK(p.at("expression").variant_value().at("value").as_real() == 1.0);
  CHECK(p.at("selection").variant() == "none");
  CHECK(p.at("edges").items().empty());
  REQUIRE(p.at("rates").items().size() == 1);
  CHECK(p.at("rates").items()[0].as_real() == 0.5);

  CHECK(where(c.at("steps")) == "configs/x.yaml:2:8");
  CHECK(where(walkers.at("size")) == "(default)");
  CHECK(walkers.at("budget").at("hard").path() == "populations.walkers.budget.hard");
}

TEST_CASE("every type parses, in its accepted spellings") {
  const ConfigValue c = load(R"(
model: 7
steps: +5
seed: -3
populations:
  walkers:
    budget: {hard: "1.5KiB", soft: 1, low_water: 0.25}
    on_refusal: freeze
parameters:
  mutation: {rate: 1e-3, enabled: false}
  label: "yes"
)");
  CHECK(c.at("model").as_string() == "7");  // any scalar is a string
  CHECK(c.at("steps").as_int() == 5);
  CHECK(c.at("seed").as_int() == -3);
  const ConfigValue& budget = c.at("populations").at("walkers").at("budget");
  CHECK(budget.at("hard").as_bytes() == 1536);  // quoted: byte sizes are read from text
  CHECK(budget.at("soft").as_real() == 1.0);    // an integer is a real
  CHECK(budget.at("low_water").as_real() == 0.25);
  CHECK(c.at("populations").at("walkers").at("on_refusal").as_string() == "freeze");
  CHECK(c.at("parameters").at("mutation").at("rate").as_real() == 1e-3);
  CHECK_FALSE(c.at("parameters").at("mutation").at("enabled").as_bool());
  CHECK(c.at("parameters").at("label").as_string() == "yes");
}

TEST_CASE("an empty section takes its defaults") {
  const ConfigValue c = load("model: m\nsteps: 1\noutput: ~\nparameters:\n  mutation:\n");
  CHECK(c.at("seed").as_int() == 42);
  CHECK(c.at("output").at("every").as_int() == 1);
  CHECK(c.at("parameters").at("mutation").at("rate").as_real() == 0.1);
}

TEST_CASE("a value left empty is an error at its key, not the default") {
  CHECK_THROWS_WITH_AS(load("model: m\nsteps: 1\nseed:\n"),
                       "configs/x.yaml:3:1: seed: expected an integer, got null", ConfigError);
  CHECK_THROWS_WITH_AS(load("model: m\nsteps: 1\n", {"seed="}),
                       "--set seed=: seed: expected an integer, got null", ConfigError);
}

TEST_CASE("byte sizes: plain counts, binary and decimal units, exact fractions") {
  CHECK(parse_byte_size("16384") == 16384u);
  CHECK(parse_byte_size("0") == 0u);
  CHECK(parse_byte_size("12 B") == 12u);
  CHECK(parse_byte_size("64 KiB") == 65536u);
  CHECK(parse_byte_size("64KiB") == 65536u);
  CHECK(parse_byte_size("2 MiB") == 2097152u);
  CHECK(parse_byte_size("3 GiB") == 3221225472u);
  CHECK(parse_byte_size("1.5 KiB") == 1536u);
  CHECK(parse_byte_size("2 KB") == 2000u);
  CHECK(parse_byte_size("1.1 MB") == 1100000u);
  CHECK(parse_byte_size("4 GB") == 4000000000u);
  CHECK(parse_byte_size("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
  for (const char* bad :
       {"", "KiB", "16 kib", "16 KiBs", "16  KiB", "-1", "+1", "1e3", "0x10", "1.5 B", "0.1 KiB",
        "1.2.3 KB", "18446744073709551616", "17179869184 GiB"})
    CHECK_MESSAGE(!parse_byte_size(bad), bad);

  CHECK(format_byte_size(0) == "0 B");
  CHECK(format_byte_size(16384) == "16 KiB");
  CHECK(format_byte_size(3221225472u) == "3 GiB");
  CHECK(format_byte_size(2000) == "2 KB");
  CHECK(format_byte_size(1536) == "1536 B");
  for (std::uint64_t n : {0ull, 1ull, 1000ull, 1024ull, 1536ull, 5000000000ull, 1ull << 40})
    CHECK(parse_byte_size(format_byte_size(n)) == n);
}

TEST_CASE("variants: a one-key map, or a bare name when no field is required") {
  const ConfigValue c = load(R"(
model: m
steps: 1
parameters:
  expression: {linear: {slope: 2}}
  selection: tournament
)");
  const ConfigValue& expression = c.at("parameters").at("expression");
  CHECK(expression.variant() == "linear");
  CHECK(expression.variant_value().at("slope").as_real() == 2.0);
  CHECK(expression.variant_value().at("intercept").as_real() == 0.0);
  CHECK(expression.variant_value().at("slope").path() == "parameters.expression.linear.slope");
  const ConfigValue& selection = c.at("parameters").at("selection");
  CHECK(selection.variant() == "tournament");
  CHECK(selection.variant_value().at("size").as_int() == 2);
  CHECK(where(selection.variant_value()) == "configs/x.yaml:6:14");

  const ConfigValue d = load("model: m\nsteps: 1\nparameters: {selection: {none: }}\n");
  CHECK(d.at("parameters").at("selection").variant() == "none");
  CHECK(d.at("parameters").at("selection").variant_value().fields().empty());
}

TEST_CASE("lists of objects and of scalars, with item paths and positions") {
  const ConfigValue c = load(R"(
model: m
steps: 1
parameters:
  edges:
    - {from: 0, to: 1}
    - from: 1
      to: 2
      weight: 0.5
  rates: [1, 2.5]
)");
  const auto& edges = c.at("parameters").at("edges").items();
  REQUIRE(edges.size() == 2);
  CHECK(edges[0].at("weight").as_real() == 1.0);
  CHECK(edges[1].at("to").as_int() == 2);
  CHECK(edges[1].at("weight").as_real() == 0.5);
  CHECK(edges[1].at("to").path() == "parameters.edges[1].to");
  CHECK(where(edges[1].at("to")) == "configs/x.yaml:8:11");
  const auto& rates = c.at("parameters").at("rates").items();
  REQUIRE(rates.size() == 2);
  CHECK(rates[0].as_real() == 1.0);
  CHECK(rates[1].as_real() == 2.5);
}

TEST_CASE("--set replaces values, creates keys and lists, and is named as their source") {
  const ConfigValue c =
      load("model: m\nsteps: 1\nparameters:\n  edges: [{from: 0, to: 1}]\n",
           {"steps=20", "populations.walkers.size=2000", "parameters.rates=[1,2]",
            "parameters.selection=none", "parameters.expression={linear: {slope: 3}}",
            "parameters.edges[0].weight=4"});
  CHECK(c.at("steps").as_int() == 20);
  CHECK(where(c.at("steps")) == "--set steps=20");
  const ConfigValue& walkers = c.at("populations").at("walkers");
  CHECK(walkers.at("size").as_int() == 2000);
  CHECK(where(walkers.at("size")) == "--set populations.walkers.size=2000");
  CHECK(where(walkers) == "--set populations.walkers.size=2000");  // created by that --set
  CHECK(walkers.at("budget").at("hard").as_bytes() == 16384);
  const ConfigValue& p = c.at("parameters");
  REQUIRE(p.at("rates").items().size() == 2);
  CHECK(p.at("rates").items()[1].as_real() == 2.0);
  CHECK(where(p.at("rates").items()[1]) == "--set parameters.rates=[1,2]");
  CHECK(p.at("selection").variant() == "none");
  CHECK(p.at("expression").variant_value().at("slope").as_real() == 3.0);
  CHECK(where(p.at("expression").variant_value().at("slope")) ==
        "--set parameters.expression={linear: {slope: 3}}");
  CHECK(p.at("edges").items()[0].at("weight").as_real() == 4.0);
  CHECK(where(p.at("edges").items()[0].at("from")) == "configs/x.yaml:4:18");
}

TEST_CASE("a later --set inside an earlier one's value is the one named") {
  YAML::Node doc = YAML::Load("model: m\nsteps: 1\n");
  ConfigOverrides sources;
  apply_override(doc, "output.dir=a", sources);
  apply_override(doc, "output={dir: b, every: 2}", sources);
  apply_override(doc, "output.every=3", sources);
  const ConfigValue c = validate(doc, run_schema(), "x.yaml", sources);
  CHECK(c.at("output").at("dir").as_string() == "b");
  CHECK(where(c.at("output").at("dir")) == "--set output={dir: b, every: 2}");
  CHECK(where(c.at("output").at("every")) == "--set output.every=3");
}

TEST_CASE("overrides know which assignment wrote a path and everything inside it") {
  ConfigOverrides overrides;
  overrides.record("parameters.edges", "parameters.edges=[{from: 1}]");
  overrides.record("seed", "seed=7");
  const SourceLocation in_file{"x.yaml", 4, 3, ""};
  CHECK(overrides.location_of("parameters.edges[0].from", in_file).to_string() ==
        "--set parameters.edges=[{from: 1}]");
  CHECK(overrides.location_of("seed", in_file).to_string() == "--set seed=7");
  CHECK(overrides.location_of("seeds", in_file) == in_file);
  CHECK(overrides.location_of("parameters", in_file) == in_file);
  overrides.record("parameters", "parameters={}");  // replaces what was written inside it
  CHECK(*overrides.assignment_for("parameters.edges") == "parameters={}");
}

TEST_CASE("a default ConfigValue is an empty object") {
  const ConfigValue empty;
  CHECK(empty.type() == ParamType::object);
  CHECK(empty.fields().empty());
  CHECK(empty.to_yaml() == "{}\n");
}

TEST_CASE("read_model_name finds the model before the schema is known") {
  CHECK(read_model_name(YAML::Load("steps: 3\nmodel: flocking\n"), "x.yaml") == "flocking");
  YAML::Node doc = YAML::Load("model: a\n");
  ConfigOverrides sources;
  apply_override(doc, "model=b", sources);
  CHECK(read_model_name(doc, "x.yaml", sources) == "b");
}

TEST_CASE("canonical YAML: schema order, quoted strings, exact reals, stable") {
  const std::string text = R"(
parameters:
  rates: [0.1, 0.3333333333333333]
  expression: {linear: {slope: 2}}
  edges: [{to: 1, from: 0}]
  label: "a \"b\"\n"
steps: 5
model: m
)";
  const std::string expected = R"(model: "m"
seed: 42
steps: 5
threads: 0
output:
  dir: "out"
  every: 1
  checkpoint_every: 0
populations:
  walkers:
    size: 1000
    budget:
      hard: 16384
      soft: 0.90000000000000002
      low_water: 0.80000000000000004
    on_refusal: "fail"
parameters:
  mutation:
    rate: 0.10000000000000001
    enabled: true
  expression:
    linear:
      slope: 2
      intercept: 0
  selection:
    none: {}
  edges:
    - from: 0
      to: 1
      weight: 1
  rates:
    - 0.10000000000000001
    - 0.33333333333333331
  label: "a \"b\"\n"
)";
  const ConfigValue c = load(text);
  CHECK(c.to_yaml() == expected);
  // Reading the canonical text back gives the same text: the form is a fixed point.
  CHECK(load(c.to_yaml()).to_yaml() == expected);
}

TEST_CASE("reals survive canonical serialisation bit for bit") {
  const double values[] = {0.1,
                           1.0 / 3.0,
                           2.0 / 3.0,
                           1e-300,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(),
                           -123456.789e10,
                           std::nextafter(1.0, 2.0)};
  for (const double v : values) {
    char text[128];
    std::snprintf(text, sizeof text, "model: m\nsteps: 1\nparameters: {rates: [%.17g]}\n", v);
    const ConfigValue once = load(text);
    const ConfigValue twice = load(once.to_yaml());
    const double back = twice.at("parameters").at("rates").items()[0].as_real();
    CHECK(std::memcmp(&back, &v, sizeof v) == 0);
  }
}

TEST_CASE("lists of lists and variants serialise as nested blocks") {
  const ParamSpec schema = ParamSpec::object(
      "root",
      {ParamSpec::list("grid", ParamSpec::list("row", ParamSpec::integer("cell", 0, ""), ""), ""),
       ParamSpec::list(
           "steps",
           ParamSpec::variant("step", std::nullopt,
                              {ParamSpec::object("wait", {}, ""),
                               ParamSpec::object("move", {ParamSpec::integer("by", 1, "")}, "")},
                              ""),
           "")},
      "");
  const ConfigValue c =
      validate(YAML::Load("grid: [[1, 2], []]\nsteps: [wait, {move: {by: 3}}]\n"), schema, "g");
  CHECK(c.to_yaml() == R"(grid:
  - - 1
    - 2
  - []
steps:
  - wait: {}
  - move:
      by: 3
)");
}

TEST_CASE("help shows names, types, defaults, ranges and help, indented by nesting") {
  const std::string help = render_help(run_schema());
  CHECK(help.find("run (object): one run\n") == 0);
  CHECK(help.find("\n  model (string, required): model to run\n") != std::string::npos);
  CHECK(help.find("\n  steps (integer >= 1, required): steps to run\n") != std::string::npos);
  CHECK(help.find("\n  output (object): what is written where\n"
                  "    dir (string, default \"out\"): output directory\n") != std::string::npos);
  CHECK(help.find("\n        hard (bytes >= 1 B, default 16 KiB): per-agent hard limit\n") !=
        std::string::npos);
  CHECK(help.find("\n        soft (real in [0, 1], default 0.9): soft limit, as a fraction of "
                  "hard\n") != std::string::npos);
  CHECK(help.find("\n      on_refusal (choice of fail | freeze, default fail): what a refusal "
                  "does\n") != std::string::npos);
  CHECK(help.find("\n    expression (variant of constant | linear, default constant): how genes "
                  "map to traits\n"
                  "      constant: every gene gives the same trait\n"
                  "        value (real, default 1): the trait\n"
                  "      linear: trait grows with the gene\n"
                  "        slope (real, required): trait per gene\n") != std::string::npos);
  CHECK(help.find("\n    edges (list, default []): the network\n"
                  "      each item (object): a directed link\n"
                  "        from (integer >= 0, required)\n") != std::string::npos);
  CHECK(help.find("\n    rates (list, default [0.5]): per-stage rates\n") != std::string::npos);
}

TEST_CASE("accessors name the path and the type on misuse") {
  const ConfigValue c = load("model: m\nsteps: 1\n");
  CHECK_THROWS_WITH_AS(c.at("steps").as_real(), "config value steps is integer, not real",
                       std::logic_error);
  CHECK_THROWS_WITH_AS(c.at("parameters").at("mutation").items(),
                       "config value parameters.mutation is object, not list", std::logic_error);
  CHECK_THROWS_WITH_AS(c.at("output").at("colour"), "config value output has no field 'colour'",
                       std::logic_error);
  CHECK_THROWS_WITH_AS(c.variant(), "config value (root) is object, not variant", std::logic_error);
}

TEST_CASE("a default outside a choice's or variant's names is a schema bug") {
  CHECK_THROWS_WITH_AS(ParamSpec::choice("mode", "fast", {"slow"}, ""),
                       "choice 'mode': default 'fast' is not one of its choices", std::logic_error);
  CHECK_THROWS_WITH_AS(ParamSpec::variant("shape", "cube", {ParamSpec::object("ball", {}, "")}, ""),
                       "variant 'shape': default 'cube' is not one of its alternatives",
                       std::logic_error);
  const ParamSpec bad_range =
      ParamSpec::object("root", {ParamSpec::real("rate", 2, "").range(0, 1)}, "");
  CHECK_THROWS_WITH_AS(validate(YAML::Load("{}"), bad_range, "x.yaml"),
                       "invalid schema default: (default): rate: expected a real number in "
                       "[0, 1], got 2",
                       std::logic_error);
}

TEST_CASE("nearest suggests plausible misspellings only") {
  const std::vector<std::string> models{"flocking", "belief_network", "genome"};
  CHECK(nearest("flockign", models) == "flocking");
  CHECK(nearest("belief-network", models) == "belief_network");
  CHECK(nearest("genomes", models) == "genome");
  CHECK(nearest("traffic", models).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}
