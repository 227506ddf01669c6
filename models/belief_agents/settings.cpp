#include "settings.hpp"

#include "cohort/engine/config_error.hpp"

namespace cohort::models::belief {

using engine::ConfigValue;
using engine::ParamSpec;

ParamSpec parameter_spec() {
  const ParamSpec agent_row = ParamSpec::integer("agent", std::nullopt, "agent row").min(0);
  return ParamSpec::object(
      "parameters",
      {ParamSpec::integer("width", 10, "grid width W").range(1, 4096),
       ParamSpec::integer("height", 10, "grid height H").range(1, 4096),
       ParamSpec::integer("levels", 4, "observation levels O (cell types)").range(2, 16),
       ParamSpec::string("map", "",
                         "ASCII map, one digit (cell type) per cell, one line per row; "
                         "empty: generated from densities"),
       ParamSpec::list("densities", ParamSpec::real("density", 1.0, "weight").min(0),
                       "relative frequency of each cell type in a generated map")
           .with_default("[1, 1, 1, 1]"),
       ParamSpec::list("obstacles", ParamSpec::integer("type", 0, "cell type").range(0, 15),
                       "cell types agents cannot enter")
           .with_default("[]"),
       ParamSpec::real("likelihood_noise", 0.1, "eps of A").range(0, 0.999),
       ParamSpec::real("move_success", 0.9, "probability a legal move reaches its target")
           .range(0, 1),
       ParamSpec::real("start_mass", 0.9, "prior mass d0 on the true start cell").range(0, 1),
       ParamSpec::list("preferences", ParamSpec::real("c", 0.0, "log preference"),
                       "C: preference per observation level (softmaxed)")
           .with_default("[0, 0, 0, 2]"),
       ParamSpec::integer("policy_length", 1, "L, actions per policy").range(1, 5),
       ParamSpec::real("gamma", 16.0, "policy precision").min(0),
       ParamSpec::real("alpha", 16.0, "action precision (stochastic selection)").min(0),
       ParamSpec::choice("action_selection", "stochastic", {"deterministic", "stochastic"},
                         "argmax of P(a), or a sample of softmax(alpha ln P(a))"),
       ParamSpec::real("prune_epsilon", 1e-12, "belief values below it are dropped").range(0, 0.5),
       ParamSpec::real("prune_step", 1000.0, "factor the epsilon grows by per prune level")
           .range(1, 1e12),
       ParamSpec::integer("prune_levels", 3, "how many times beliefs may be pruned harder")
           .range(0, 20),
       ParamSpec::object(
           "history",
           {ParamSpec::integer("capacity", 1024, "entries kept at most (sealed blocks)")
                .range(1, 1 << 20),
            ParamSpec::integer("block_entries", 128, "entries per block").range(4, 4096),
            ParamSpec::choice("codec", "lz4", {"lz4", "zstd"}, "block compressor")},
           "the compressed ring-buffer history"),
       ParamSpec::list("reclaim",
                       ParamSpec::choice("rung", "evict_history",
                                         {"evict_history", "prune_beliefs"}, "a reclaimer"),
                       "reclaimers, in the order they run at the soft limit")
           .with_default("[evict_history, prune_beliefs]"),
       ParamSpec::list("trace_agents", agent_row, "agent rows whose qs, q(pi), G are traced")
           .with_default("[]"),
       ParamSpec::list("history_agents", agent_row, "agent rows whose history is written to CSV")
           .with_default("[]")},
      "belief agent parameters");
}

Settings read_settings(const ConfigValue& p) {
  Settings s;
  s.width = static_cast<std::uint32_t>(p.at("width").as_int());
  s.height = static_cast<std::uint32_t>(p.at("height").as_int());
  s.levels = static_cast<std::uint32_t>(p.at("levels").as_int());
  s.map = p.at("map").as_string();
  for (const ConfigValue& v : p.at("densities").items())
    s.densities.push_back(v.as_real());
  for (const ConfigValue& v : p.at("obstacles").items())
    s.obstacles.push_back(static_cast<std::uint8_t>(v.as_int()));
  s.likelihood_noise = p.at("likelihood_noise").as_real();
  s.move_success = p.at("move_success").as_real();
  s.start_mass = p.at("start_mass").as_real();
  for (const ConfigValue& v : p.at("preferences").items())
    s.preferences.push_back(v.as_real());
  s.policy_length = static_cast<std::uint32_t>(p.at("policy_length").as_int());
  s.gamma = p.at("gamma").as_real();
  s.alpha = p.at("alpha").as_real();
  s.deterministic = p.at("action_selection").as_string() == "deterministic";
  s.prune_epsilon = p.at("prune_epsilon").as_real();
  s.prune_step = p.at("prune_step").as_real();
  s.prune_levels = static_cast<std::uint32_t>(p.at("prune_levels").as_int());
  const ConfigValue& h = p.at("history");
  s.history_capacity = static_cast<std::uint32_t>(h.at("capacity").as_int());
  s.block_entries = static_cast<std::uint32_t>(h.at("block_entries").as_int());
  s.codec = parse_codec(h.at("codec").as_string());
  for (const ConfigValue& v : p.at("reclaim").items())
    s.reclaim.push_back(v.as_string() == "evict_history" ? Rung::evict_history
                                                         : Rung::prune_beliefs);
  for (const ConfigValue& v : p.at("trace_agents").items())
    s.trace_agents.push_back(static_cast<std::uint64_t>(v.as_int()));
  for (const ConfigValue& v : p.at("history_agents").items())
    s.history_agents.push_back(static_cast<std::uint64_t>(v.as_int()));

  auto fail = [&](const char* key, const std::string& expected, const std::string& got) {
    throw engine::ConfigError(p.at(key).location(), p.at(key).path(), expected, got);
  };
  const std::string levels = std::to_string(s.levels);
  if (s.preferences.size() != s.levels)
    fail("preferences", "one value per observation level (" + levels + ")",
         std::to_string(s.preferences.size()) + " values");
  if (s.map.empty() && s.densities.size() != s.levels)
    fail("densities", "one weight per observation level (" + levels + ")",
         std::to_string(s.densities.size()) + " weights");
  for (std::uint8_t t : s.obstacles)
    if (t >= s.levels)
      fail("obstacles", "cell types below levels (" + levels + ")", std::to_string(t));
  if (s.history_capacity < s.block_entries)
    fail("history", "capacity of at least block_entries (" + std::to_string(s.block_entries) + ")",
         std::to_string(s.history_capacity));
  return s;
}

}  // namespace cohort::models::belief
