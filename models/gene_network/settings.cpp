#include "settings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "cohort/engine/config_error.hpp"
#include "cohort/memory/process_memory.hpp"

namespace cohort::models::gene_network {

using engine::ConfigIssue;
using engine::ConfigValue;

namespace {

// Collects every cross-key problem so the user sees them all in one run.
class Issues {
 public:
  void bad(const ConfigValue& at, std::string expected, std::string got) {
    list_.push_back(ConfigIssue{engine::IssueKind::bad_value,
                                at.location(),
                                at.path(),
                                std::move(expected),
                                std::move(got),
                                {}});
  }
  void throw_if_any() const {
    if (!list_.empty()) throw engine::ConfigError(list_);
  }

 private:
  std::vector<ConfigIssue> list_;
};

// The shortest text that reads back as `v`: 0.7, not 0.69999999999999996.
std::string number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

Conditions read_conditions(const ConfigValue& v) {
  return {v.at("tf_concentration").as_real(), v.at("temperature").as_real(),
          v.at("nutrients").as_real()};
}

ConditionSchedule read_schedule(const ConfigValue& v, Issues& issues) {
  ConditionSchedule s;
  s.initial = read_conditions(v);
  for (const ConfigValue& item : v.at("schedule").items()) {
    const ConfigValue& generation = item.at("generation");
    const auto g = static_cast<std::uint64_t>(generation.as_int());
    if (!s.changes.empty() && g <= s.changes.back().generation)
      issues.bad(generation,
                 "a generation after the previous change's (" +
                     std::to_string(s.changes.back().generation) + ")",
                 std::to_string(g));
    s.changes.push_back({g, read_conditions(item)});
  }
  return s;
}

BaseExpression read_base(const ConfigValue& v, const ConfigValue& conditions, Issues& issues) {
  BaseExpression b;
  const ConfigValue& p = v.variant_value();
  if (v.variant() == "constant") {
    b.rule = BaseRule::constant;
    b.level = p.at("level").as_real();
  } else if (v.variant() == "linear") {
    b.rule = BaseRule::linear;
    b.slope = p.at("slope").as_real();
    b.intercept = p.at("intercept").as_real();
  } else {
    b.rule = BaseRule::hill;
    b.v_max = p.at("v_max").as_real();
    b.k = p.at("k").as_real();
    b.n = p.at("n").as_real();
    if (!(b.k > 0)) issues.bad(p.at("k"), "a real number > 0", number(b.k));
    if (!(b.n > 0)) issues.bad(p.at("n"), "a real number > 0", number(b.n));
    // c^n of a negative c is not a real number (the reference fails on it too).
    const auto check_c = [&](const ConfigValue& c) {
      if (c.as_real() < 0)
        issues.bad(c, "a tf_concentration >= 0 with hill expression", number(c.as_real()));
    };
    check_c(conditions.at("tf_concentration"));
    for (const ConfigValue& item : conditions.at("schedule").items())
      check_c(item.at("tf_concentration"));
  }
  return b;
}

Regulation read_regulation(const ConfigValue& v) {
  Regulation r;
  if (v.variant() == "none") return r;
  r.rule = v.variant() == "additive" ? RegulationRule::additive : RegulationRule::multiplicative;
  r.weight = v.variant_value().at("weight").as_real();
  return r;
}

// Checks edges against the gene count; `where(i)` reports a problem with edge i. True if none.
template <class Where>
bool check_edges(const std::vector<Edge>& edges, std::uint32_t genes, Where&& where) {
  bool ok = true;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    if (e.source >= genes || e.target >= genes)
      where(i, "gene indices below genes (" + std::to_string(genes) + ")",
            std::to_string(e.source) + " -> " + std::to_string(e.target));
    else if (e.source == e.target)
      where(i, "an edge between two different genes (self-loops are rejected)",
            std::to_string(e.source) + " -> " + std::to_string(e.target));
    else
      continue;
    ok = false;
  }
  return ok;
}

// A path from the config, relative to the config's directory unless absolute.
std::filesystem::path resolve(const ConfigValue& path_value,
                              const std::filesystem::path& config_dir) {
  std::filesystem::path path = path_value.as_string();
  return path.is_relative() ? config_dir / path : path;
}

// Edges a network holds: exact for listed edges, expected for a random one.
double network_edges(const ConfigValue& v, const Settings& s) {
  if (v.variant() == "random") {
    const double genes = s.genes;
    return v.variant_value().at("density").as_real() * genes * (genes - 1);
  }
  return static_cast<double>(s.network.edge_count());
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

// A run that cannot fit in memory is refused here, with the estimate, rather than failing to
// allocate (std::bad_alloc) or being killed by the kernel once it touches the pages.
void check_fits_in_memory(const ConfigValue& parameters, const Settings& s, Issues& issues) {
  const std::uint64_t physical = memory::ProcessMemory::physical();
  if (physical == 0) return;
  const double value_bytes = s.precision == Precision::float32 ? 4.0 : 8.0;
  const double matrices = s.selection.rule == SelectionRule::none ? 1.0 : 2.0;  // + offspring
  // Rows are padded to whole cache lines; per individual also fitness, elite flag and ids.
  const double genomes =
      matrices * s.genes * (static_cast<double>(s.individuals) + 64 / value_bytes) * value_bytes;
  const double agents = static_cast<double>(s.individuals) * (value_bytes + 16);
  // Building a network holds its edge list (16 B an edge) and the sparse copies (~24 B).
  const double network = network_edges(parameters.at("network"), s) * 40;
  const double total = genomes + agents + network;
  if (total <= static_cast<double>(physical)) return;
  issues.bad(
      parameters.at("genes"),
      "a run that fits in this machine's memory (" + gib(static_cast<double>(physical)) + ")",
      std::to_string(s.genes) + " genes x " + std::to_string(s.individuals) +
          " individuals, an estimated " + gib(total) + " (genomes " + gib(genomes) + ", network " +
          gib(network) + ")");
}

void read_network(const ConfigValue& v, const std::filesystem::path& config_dir,
                  std::uint64_t run_seed, RandomNetwork random, Settings& s, Issues& issues) {
  const ConfigValue& p = v.variant_value();
  const std::string& kind = v.variant();
  if (kind == "none") return;
  s.has_network = true;
  std::vector<Edge> edges;
  if (kind == "random") {
    const double lo = p.at("weight_min").as_real();
    const double hi = p.at("weight_max").as_real();
    if (lo > hi)
      issues.bad(p.at("weight_max"), "a real number >= weight_min (" + number(lo) + ")",
                 number(hi));
    const std::int64_t seed = p.at("seed").as_int();
    if (lo <= hi && random == RandomNetwork::build)
      s.network = RegulatoryNetwork::random(s.genes, p.at("density").as_real(), lo, hi,
                                            seed < 0 ? run_seed : static_cast<std::uint64_t>(seed));
    return;
  }
  if (kind == "explicit") {
    const auto& items = p.at("edges").items();
    for (const ConfigValue& item : items)
      edges.push_back({static_cast<std::uint32_t>(std::min<std::int64_t>(
                           item.at("source").as_int(), std::numeric_limits<std::uint32_t>::max())),
                       static_cast<std::uint32_t>(std::min<std::int64_t>(
                           item.at("target").as_int(), std::numeric_limits<std::uint32_t>::max())),
                       item.at("weight").as_real()});
    if (!check_edges(edges, s.genes, [&](std::size_t i, std::string expected, std::string got) {
          issues.bad(items[i], std::move(expected), std::move(got));
        }))
      return;  // the network is not built from bad edges
  } else {
    const ConfigValue& path_value = p.at("path");
    const std::filesystem::path path = resolve(path_value, config_dir);
    std::vector<EdgeFileProblem> problems;
    try {
      edges = read_edge_file(path, problems);
    } catch (const std::runtime_error& e) {
      issues.bad(path_value, "a readable edge file", "'" + path.string() + "' (" + e.what() + ")");
      return;
    }
    for (const EdgeFileProblem& problem : problems)
      issues.bad(path_value, "valid edges",
                 path.string() + ":" + std::to_string(problem.line) + ": " + problem.message);
    if (!check_edges(edges, s.genes, [&](std::size_t i, std::string expected, std::string got) {
          issues.bad(path_value, std::move(expected),
                     got + " (edge " + std::to_string(i + 1) + " of " + path.string() + ")");
        }))
      return;
  }
  s.network = RegulatoryNetwork(s.genes, std::move(edges));
}

Fitness read_fitness(const ConfigValue& v, std::uint32_t genes, Issues& issues) {
  Fitness f;
  const ConfigValue& p = v.variant_value();
  const std::string& kind = v.variant();
  if (kind == "proportional") return f;
  if (kind == "threshold") {
    f.rule = FitnessRule::threshold;
    f.threshold = p.at("level").as_real();
  } else if (kind == "epistatic") {
    f.rule = FitnessRule::epistatic;
    const ConfigValue& matrix = p.at("matrix");
    if (matrix.items().size() != genes)
      issues.bad(matrix, "a " + std::to_string(genes) + " x " + std::to_string(genes) + " matrix",
                 std::to_string(matrix.items().size()) + " rows");
    for (const ConfigValue& row : matrix.items()) {
      if (row.items().size() != genes)
        issues.bad(row, "a row of " + std::to_string(genes) + " values",
                   std::to_string(row.items().size()) + " values");
      for (const ConfigValue& x : row.items())
        f.interactions.push_back(x.as_real());
    }
  } else {
    f.rule = FitnessRule::multi_objective;
    const ConfigValue& weights = p.at("weights");
    if (weights.items().size() != genes)
      issues.bad(weights, "one weight per gene (" + std::to_string(genes) + ")",
                 std::to_string(weights.items().size()) + " weights");
    for (const ConfigValue& w : weights.items())
      f.weights.push_back(w.as_real());
  }
  return f;
}

Selection read_selection(const ConfigValue& parameters, std::uint64_t individuals, Issues& issues) {
  Selection s;
  const ConfigValue& v = parameters.at("selection");
  const ConfigValue& p = v.variant_value();
  const std::string& kind = v.variant();
  if (kind == "wright_fisher") s.rule = SelectionRule::wright_fisher;
  if (kind == "tournament") {
    s.rule = SelectionRule::tournament;
    s.tournament_size = static_cast<std::uint32_t>(p.at("size").as_int());
  }
  if (kind == "truncation") {
    s.rule = SelectionRule::truncation;
    s.truncation_fraction = p.at("fraction").as_real();
    if (!(s.truncation_fraction > 0))
      issues.bad(p.at("fraction"), "a real number in (0, 1]", number(s.truncation_fraction));
  }
  const ConfigValue& elitism = parameters.at("elitism");
  s.elitism = static_cast<std::uint64_t>(elitism.as_int());
  if (s.elitism > 0 && s.rule == SelectionRule::none)
    issues.bad(elitism, "0 without a selection scheme (elites are kept from selection)",
               std::to_string(s.elitism));
  else if (s.elitism > 0 && s.elitism >= individuals)
    issues.bad(elitism, "fewer elites than individuals (" + std::to_string(individuals) + ")",
               std::to_string(s.elitism));
  const ConfigValue& reproduction = parameters.at("reproduction");
  s.sexual = reproduction.variant() == "sexual";
  if (s.sexual) s.crossover_rate = reproduction.variant_value().at("crossover_rate").as_real();
  return s;
}

}  // namespace

std::optional<std::filesystem::path> edge_file(const ConfigValue& parameters,
                                               const std::filesystem::path& config_dir) {
  const ConfigValue& network = parameters.at("network");
  if (network.variant() != "file") return std::nullopt;
  return resolve(network.variant_value().at("path"), config_dir);
}

Settings read_settings(const ConfigValue& parameters, const std::filesystem::path& config_dir,
                       std::uint64_t run_seed, std::uint64_t individuals, RandomNetwork random) {
  Issues issues;
  Settings s;
  s.genes = static_cast<std::uint32_t>(parameters.at("genes").as_int());
  s.individuals = individuals;
  s.precision =
      parameters.at("precision").as_string() == "float" ? Precision::float32 : Precision::float64;
  const ConfigValue& initial = parameters.at("initial_levels").variant_value();
  s.initial_low = initial.at("low").as_real();
  s.initial_high = initial.at("high").as_real();
  if (s.initial_low > s.initial_high)
    issues.bad(initial.at("high"), "a real number >= low (" + number(s.initial_low) + ")",
               number(s.initial_high));
  const ConfigValue& conditions = parameters.at("conditions");
  s.conditions = read_schedule(conditions, issues);
  s.base = read_base(parameters.at("expression"), conditions, issues);
  s.regulation = read_regulation(parameters.at("regulation"));
  read_network(parameters.at("network"), config_dir, run_seed, random, s, issues);
  s.fitness = read_fitness(parameters.at("fitness"), s.genes, issues);
  s.selection = read_selection(parameters, individuals, issues);
  const ConfigValue& mutation = parameters.at("mutation");
  if (mutation.variant() == "point") {
    s.mutation.rate = mutation.variant_value().at("rate").as_real();
    s.mutation.magnitude = mutation.variant_value().at("magnitude").as_real();
  }
  const ConfigValue& outputs = parameters.at("outputs");
  s.gene_means = outputs.at("gene_means").as_bool();
  s.population_csv = outputs.at("population_csv").as_bool();
  check_fits_in_memory(parameters, s, issues);
  issues.throw_if_any();
  return s;
}

}  // namespace cohort::models::gene_network
