#include "schema.hpp"

namespace cohort::models::gene_network {

using engine::ParamSpec;

namespace {

// The environment of one generation; a schedule entry is a whole new set of conditions (fields it
// omits take these defaults, as a fresh happygene Conditions() would).
std::vector<ParamSpec> condition_fields() {
  return {ParamSpec::real("tf_concentration", 0.0, "transcription factor concentration c"),
          ParamSpec::real("temperature", 37.0, "temperature (carried, used by no built-in rule)"),
          ParamSpec::real("nutrients", 1.0, "nutrient level (carried, used by no built-in rule)")};
}

ParamSpec conditions_spec() {
  std::vector<ParamSpec> fields = condition_fields();
  std::vector<ParamSpec> change = condition_fields();
  change.insert(change.begin(),
                ParamSpec::integer("generation", std::nullopt,
                                   "first generation (0-based step) these conditions apply to")
                    .min(0));
  fields.push_back(ParamSpec::list("schedule",
                                   ParamSpec::object("change", std::move(change),
                                                     "conditions from a generation on"),
                                   "changes of conditions, by increasing generation")
                       .with_default("[]"));
  return ParamSpec::object("conditions", std::move(fields), "the environment");
}

ParamSpec expression_spec() {
  return ParamSpec::variant(
      "expression", "linear",
      {ParamSpec::object("constant", {ParamSpec::real("level", 1.0, "the base value b").min(0)},
                         "b = level"),
       ParamSpec::object("linear",
                         {ParamSpec::real("slope", 1.0, "sensitivity to tf_concentration"),
                          ParamSpec::real("intercept", 0.5, "basal expression").min(0)},
                         "b = max(0, slope * tf_concentration + intercept)"),
       ParamSpec::object("hill",
                         {ParamSpec::real("v_max", 1.0, "maximum expression").min(0),
                          ParamSpec::real("k", 0.5, "half-saturation concentration (> 0)"),
                          ParamSpec::real("n", 2.0, "Hill coefficient (> 0)")},
                         "b = v_max * c^n / (k^n + c^n), c = tf_concentration")},
      "base expression b, the same for every gene");
}

ParamSpec regulation_spec() {
  return ParamSpec::variant(
      "regulation", "none",
      {ParamSpec::object("none", {}, "e = max(0, b): the network has no effect"),
       ParamSpec::object("additive", {ParamSpec::real("weight", 1.0, "w")},
                         "e = max(0, b + w * tf)"),
       ParamSpec::object("multiplicative", {ParamSpec::real("weight", 1.0, "w")},
                         "e = max(0, b * (1 + w * tf))")},
      "how transcription factor input tf = W x modulates b");
}

ParamSpec network_spec() {
  const ParamSpec edge = ParamSpec::object(
      "edge",
      {ParamSpec::integer("source", std::nullopt, "regulating gene (0-based)").min(0),
       ParamSpec::integer("target", std::nullopt, "regulated gene (0-based)").min(0),
       ParamSpec::real("weight", std::nullopt, "W[target][source]")},
      "one regulatory edge; duplicates add up, self-loops are rejected");
  return ParamSpec::variant(
      "network", "none",
      {ParamSpec::object("none", {}, "no regulatory network: tf = 0"),
       ParamSpec::object("explicit", {ParamSpec::list("edges", edge, "the edges")},
                         "edges listed here"),
       ParamSpec::object(
           "file",
           {ParamSpec::string("path", std::nullopt,
                              "text file of 'source target weight' lines (commas or spaces, "
                              "# comments), relative to the config file")},
           "edges read from a file"),
       ParamSpec::object(
           "random",
           {ParamSpec::real("density", 0.05, "probability of each ordered pair s != t").range(0, 1),
            ParamSpec::real("weight_min", -0.5, "smallest weight"),
            ParamSpec::real("weight_max", 0.5, "largest weight (weights are uniform)"),
            ParamSpec::integer("seed", -1, "seed of the network (-1 = the run's seed)").min(-1)},
           "each ordered pair present with probability density")},
      "the sparse regulatory network W (W[target][source] = weight)");
}

ParamSpec fitness_spec() {
  const ParamSpec row =
      ParamSpec::list("row", ParamSpec::real("value", std::nullopt, "M[i][j]"), "a row of M");
  return ParamSpec::variant(
      "fitness", "proportional",
      {ParamSpec::object("proportional", {}, "mean(e)"),
       ParamSpec::object("threshold", {ParamSpec::real("level", 0.5, "t")},
                         "1 if mean(e) >= t else 0"),
       ParamSpec::object("epistatic",
                         {ParamSpec::list("matrix", row, "G x G interaction matrix M, by rows")},
                         "mean(e) + (e^T M e) / G (no division when G = 1)"),
       ParamSpec::object(
           "multi_objective",
           {ParamSpec::list("weights", ParamSpec::real("weight", std::nullopt, "w_g").min(0),
                            "one non-negative weight per gene")},
           "(e . w) / sum(w), 0 when sum(w) = 0")},
      "fitness of an individual from its expression e");
}

ParamSpec selection_spec() {
  return ParamSpec::variant(
      "selection", "none",
      {ParamSpec::object("none", {}, "keep the population as it is (happygene's behaviour)"),
       ParamSpec::object("wright_fisher", {},
                         "parents drawn with probability proportional to fitness (negative "
                         "fitness counts as 0; all zero means uniform)"),
       ParamSpec::object("tournament",
                         {ParamSpec::integer("size", 2, "contestants k, drawn with replacement")
                              .range(1, 1 << 20)},
                         "the fittest of k uniformly drawn individuals"),
       ParamSpec::object(
           "truncation",
           {ParamSpec::real("fraction", 0.5, "share of the fittest that breed (> 0)").range(0, 1)},
           "uniformly from the fittest ceil(fraction * N)")},
      "how parents are chosen each generation");
}

ParamSpec reproduction_spec() {
  return ParamSpec::variant(
      "reproduction", "asexual",
      {ParamSpec::object("asexual", {}, "an offspring copies its parent"),
       ParamSpec::object(
           "sexual",
           {ParamSpec::real("crossover_rate", 0.5, "chance each locus comes from the second parent")
                .range(0, 1)},
           "an offspring mixes two parents locus by locus")},
      "how offspring are made from parents (with a selection scheme)");
}

ParamSpec mutation_spec() {
  return ParamSpec::variant(
      "mutation", "point",
      {ParamSpec::object("none", {}, "no mutation"),
       ParamSpec::object(
           "point",
           {ParamSpec::real("rate", 0.1, "chance each gene mutates").range(0, 1),
            ParamSpec::real("magnitude", 0.05, "standard deviation of the change").min(0)},
           "x = max(0, x + N(0, magnitude^2)) for each gene with probability rate")},
      "mutation after reproduction (elites are not mutated)");
}

}  // namespace

ParamSpec parameter_schema() {
  return ParamSpec::object(
      "parameters",
      {ParamSpec::integer("genes", 100, "genes per individual (G)").range(1, 65536),
       ParamSpec::choice("precision", "double", {"double", "float"},
                         "storage and arithmetic of expression levels"),
       ParamSpec::variant(
           "initial_levels", "uniform",
           {ParamSpec::object("uniform",
                              {ParamSpec::real("low", 0.3, "lowest level"),
                               ParamSpec::real("high", 0.7, "highest level")},
                              "each gene uniform in [low, high), negatives clamped to 0")},
           "expression levels at generation 0"),
       conditions_spec(), expression_spec(), regulation_spec(), network_spec(), fitness_spec(),
       selection_spec(),
       ParamSpec::integer("elitism", 0,
                          "the n fittest are kept unchanged in their slots (needs a selection)")
           .min(0),
       reproduction_spec(), mutation_spec(),
       ParamSpec::object(
           "outputs",
           {ParamSpec::boolean("gene_means", false, "add a gene_mean_<g> metric per gene"),
            ParamSpec::boolean("population_csv", false,
                               "write the final population to population.csv")},
           "optional outputs")},
      "gene network parameters");
}

}  // namespace cohort::models::gene_network
