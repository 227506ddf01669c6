#include "cohort/engine/simulation.hpp"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "checkpoint_populations.hpp"
#include "cohort/engine/atomic_file.hpp"
#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/checkpoint_ranks.hpp"
#include "cohort/engine/config_error.hpp"
#include "cohort/memory/process_memory.hpp"
#include "cohort/memory/report.hpp"

namespace cohort::engine {

namespace {

// The shortest text that reads back as the same double (std::to_chars), so the CSV is exact,
// short ("99.04925", not "99.049250000000001") and the same bytes on every platform. Counts
// print as integers.
std::string format_value(double v, MetricKind kind) {
  char buf[32];
  const std::to_chars_result r =
      kind == MetricKind::count ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v))
                                : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string metrics_line(const MetricRow& row, const std::vector<MetricKind>& kinds) {
  std::string out = std::to_string(row.step);
  for (std::size_t m = 0; m < row.values.size(); ++m)
    out += "," + format_value(row.values[m], kinds[m]);
  return out + "\n";
}

std::string metrics_csv(const std::vector<std::string>& names, const std::vector<MetricKind>& kinds,
                        const std::vector<MetricRow>& rows) {
  std::string out = "step";
  for (const std::string& n : names)
    out += "," + n;
  out += "\n";
  for (const MetricRow& row : rows)
    out += metrics_line(row, kinds);
  return out;
}

// One rank's memory, as the reduced views gather it.
struct RankMemory {
  std::uint64_t accounted_used, accounted_held, rss, peak_rss;
};

std::vector<RankMemory> gather_rank_memory(const RankGroup& ranks, std::uint64_t accounted_used,
                                           std::uint64_t accounted_held, std::uint64_t rss,
                                           std::uint64_t peak_rss) {
  return gather_values(ranks, RankMemory{accounted_used, accounted_held, rss, peak_rss});
}

// Each rank's accounted and resident bytes, their totals, minimum, maximum and imbalance
// (maximum over mean): the reduced view of a distributed run's memory.
nlohmann::json rank_memory_json(const RankGroup& ranks, const memory::MemoryReport& report) {
  const std::vector<RankMemory> all =
      gather_rank_memory(ranks, report.accounted_used, report.accounted_held, report.process.rss,
                         report.process.peak_rss);
  nlohmann::json out;
  out["count"] = all.size();
  out["per_rank"] = nlohmann::json::array();
  for (std::size_t r = 0; r < all.size(); ++r)
    out["per_rank"].push_back({{"rank", r},
                               {"accounted_held", all[r].accounted_held},
                               {"rss", all[r].rss},
                               {"peak_rss", all[r].peak_rss}});
  auto stats = [&](auto field) {
    std::uint64_t total = 0, lo = ~0ull, hi = 0;
    for (const RankMemory& m : all) {
      const std::uint64_t v = m.*field;
      total += v, lo = std::min(lo, v), hi = std::max(hi, v);
    }
    const double mean = static_cast<double>(total) / static_cast<double>(all.size());
    return nlohmann::json{
        {"total", total}, {"min", lo}, {"max", hi}, {"imbalance", mean > 0 ? hi / mean : 1.0}};
  };
  out["accounted_held"] = stats(&RankMemory::accounted_held);
  out["rss"] = stats(&RankMemory::rss);
  out["peak_rss"] = stats(&RankMemory::peak_rss);
  return out;
}

// The timeline columns of a distributed run's sample: each rank's resident and accounted bytes,
// and their totals and maxima over ranks (collective).
std::vector<std::pair<std::string, std::uint64_t>> rank_timeline_columns(const World& world) {
  const RankGroup& ranks = world.ranks();
  if (ranks.size() == 1) return {};
  const memory::TagCounters accounted = world.accountant().engine_total();
  const std::vector<RankMemory> all = gather_rank_memory(ranks, accounted.used, accounted.held,
                                                         memory::ProcessMemory::current_rss(), 0);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::uint64_t rss_total = 0, rss_max = 0, held_total = 0, held_max = 0;
  for (std::size_t r = 0; r < all.size(); ++r) {
    out.emplace_back("rank" + std::to_string(r) + ":rss", all[r].rss);
    out.emplace_back("rank" + std::to_string(r) + ":accounted_used", all[r].accounted_used);
    out.emplace_back("rank" + std::to_string(r) + ":accounted_held", all[r].accounted_held);
    rss_total += all[r].rss, rss_max = std::max(rss_max, all[r].rss);
    held_total += all[r].accounted_held, held_max = std::max(held_max, all[r].accounted_held);
  }
  out.emplace_back("ranks:rss_total", rss_total);
  out.emplace_back("ranks:rss_max", rss_max);
  out.emplace_back("ranks:accounted_held_total", held_total);
  out.emplace_back("ranks:accounted_held_max", held_max);
  return out;
}

}  // namespace

Simulation::Simulation(const ModelRegistry& registry, RunSettings settings)
    : settings_(std::move(settings)), monitor_(settings_.monitor) {
  const ModelInfo* info = registry.find(settings_.model);
  if (info == nullptr) throw std::invalid_argument("unknown model '" + settings_.model + "'");
  const int ranks = settings_.ranks ? settings_.ranks->size() : 1;
  if (ranks > 1 && !info->distributed) {
    std::string distributed;  // the registered models that do
    for (const std::string& name : registry.names())
      if (registry.find(name)->distributed) distributed += (distributed.empty() ? "" : ", ") + name;
    throw ConfigError(settings_.root.at("model").location(), "model",
                      "a model that runs over MPI ranks (" + distributed + ")",
                      settings_.model + ", which does not decompose a space: run it on one rank");
  }
  // A model that runs over ranks checkpoints in the portable layout on any rank count, so its
  // checkpoints resume on any other.
  portable_checkpoints_ = info->distributed;
  world_ = std::make_unique<World>(WorldOptions{settings_.seed, settings_.threads,
                                                memory::default_pool_mode(), settings_.ranks});
  model_ = info->create();
  model_->build(*world_, settings_.model_setup());
  world_->accountant().settle();
  metric_names_ = model_->metric_names();
  metric_kinds_ = model_->metric_kinds();
  if (metric_kinds_.empty()) metric_kinds_.assign(metric_names_.size(), MetricKind::real);
  if (metric_kinds_.size() != metric_names_.size())
    throw std::logic_error("model '" + settings_.model + "' declares " +
                           std::to_string(metric_kinds_.size()) + " metric kinds for " +
                           std::to_string(metric_names_.size()) + " names");
  record_metrics();  // step 0: the initial state
}

Simulation::~Simulation() {
  // Agents first (their release hooks free per-agent data), then what the model shares.
  for (std::size_t i = 0; i < world_->population_count(); ++i)
    world_->population(i).clear();
  model_->release(*world_);
}

void Simulation::record_metrics() {
  std::vector<double> values = model_->metrics(*world_);
  if (values.size() != metric_names_.size())
    throw std::logic_error("model '" + settings_.model + "' returned " +
                           std::to_string(values.size()) + " metrics for " +
                           std::to_string(metric_names_.size()) + " names");
  rows_.push_back({world_->step(), std::move(values)});
  if (outputs_ != nullptr) outputs_->append_metrics(metrics_line(rows_.back(), metric_kinds_));
}

void Simulation::stream_outputs_to(RunOutputs& outputs) {
  outputs_ = &outputs;
  outputs.start_metrics(metrics_csv(metric_names_, metric_kinds_, rows_));
  if (settings_.snapshots.every != 0) {
    snapshots_ = std::make_unique<SnapshotWriter>(settings_.snapshots, *world_, outputs.dir());
    if (snapshots_->due(world_->step())) snapshots_->write(*world_);
  } else {
    remove_snapshot_files(outputs.dir());
  }
  if (!monitor_.samples().empty()) outputs.update_timeline(monitor_);
}

RunEnd Simulation::run(const std::atomic<bool>& stop,
                       const std::function<void(const Progress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t first = world_->step();
  // The starting point; after a resume, the sample of the checkpoint's step if it is due (a
  // checkpoint written on schedule precedes that step's sample).
  // Rank 0's decision (only its monitor was restored): sampling gathers over ranks.
  const std::vector<MemorySample>& samples = monitor_.samples();
  const bool first_sample = samples.empty() || (monitor_.due(first) && samples.back().step < first);
  if (gather_values(world_->ranks(), static_cast<char>(first_sample))[0] != 0) {
    monitor_.sample(*world_, 0, rank_timeline_columns(*world_));
    if (outputs_ != nullptr) outputs_->update_timeline(monitor_);
  }
  RunEnd end = RunEnd::completed;
  // A stop requested before the first step (while the model was built or the checkpoint read)
  // still ends with a checkpoint to resume from.
  if (stop_requested(stop) && world_->step() < settings_.steps) {
    write_checkpoint(checkpoint_path());
    return RunEnd::interrupted;
  }
  while (world_->step() < settings_.steps) {
    world_->run_step();
    ++steps_this_process_;
    const std::uint64_t step = world_->step();
    if (step % settings_.report_every == 0 || step == settings_.steps || world_->end_reason())
      record_metrics();
    if (snapshots_ && snapshots_->due(step)) snapshots_->write(*world_);
    if (settings_.checkpoint_every != 0 && step % settings_.checkpoint_every == 0 &&
        step != settings_.steps)
      write_checkpoint(checkpoint_path());
    wall_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (monitor_.due(step)) {
      monitor_.sample(*world_, wall_seconds_, rank_timeline_columns(*world_));
      if (outputs_ != nullptr) outputs_->update_timeline(monitor_);
    }
    if (progress) {
      const double rate = wall_seconds_ > 0 ? static_cast<double>(step - first) / wall_seconds_ : 0;
      progress(
          {step, settings_.steps, wall_seconds_, rate, world_->accountant().engine_total().held});
    }
    if (world_->end_reason()) break;  // the model ended the run (run.json says why)
    if (stop_requested(stop) && step < settings_.steps) {
      write_checkpoint(checkpoint_path());
      end = RunEnd::interrupted;
      break;
    }
  }
  return end;
}

bool Simulation::stop_requested(const std::atomic<bool>& stop) const {
  const bool mine = stop.load(std::memory_order_relaxed);
  const RankGroup& ranks = world_->ranks();
  if (ranks.size() == 1) return mine;
  // Every rank stops at the same step when any was asked to (mpirun forwards a signal to all
  // ranks, but they may see it at different steps).
  const std::vector<char> all = gather_values(ranks, static_cast<char>(mine));
  return std::find(all.begin(), all.end(), 1) != all.end();
}

void Simulation::write_state(CheckpointWriter& out) {
  // Collective on a distributed run (the agents gather to rank 0); only rank 0's `out` goes to
  // the file (the other ranks' drops what it is given).
  const PopulationLayout layout =
      portable_checkpoints_ ? PopulationLayout::portable : PopulationLayout::rows;
  out.put_string(settings_.model);
  out.put(settings_.config_hash);
  out.put(settings_.seed);
  out.put(world_->step());
  out.put(world_->next_uid());
  out.put(layout);
  const SavedAgents saved = write_populations(*world_, layout, out);
  if (world_->ranks().rank() == 0) {
    out.put<std::uint64_t>(rows_.size());
    for (const MetricRow& row : rows_) {
      out.put(row.step);
      out.put_vector(row.values);
    }
  }
  // The model's own section: written on every rank (a distributed model reduces in it), kept
  // from rank 0.
  model_->save(*world_, out);
  write_ledger_flags(*world_, layout, saved, out);
}

void Simulation::write_checkpoint(const std::filesystem::path& path) {
  if (world_->ranks().size() == 1) {
    // One process streams its state into the file through a fixed buffer: a checkpoint costs
    // no copy of the state in memory.
    std::filesystem::create_directories(path.parent_path());
    CheckpointFileWriter file(path);
    write_state(file.payload());
    file.commit();
  } else {
    // Collective: rank 0 streams the state into the file as the ranks gather it (about one
    // column of all agents at a time). A file rank 0 cannot create or write fails only at the
    // collective commit, on every rank, so no rank is left waiting for one that gave up.
    RankCheckpointWriter file(world_->ranks(), path);
    write_state(file.payload());
    file.commit();
    if (world_->ranks().rank() != 0) return;
  }
  // The monitor's samples hold wall times and RSS, which differ between processes: they go to
  // a file of their own (`<checkpoint>.monitor`, tagged with the step), so the checkpoint is the
  // same bytes for the same state. A stale or missing one only restarts the timeline.
  CheckpointWriter monitor;
  monitor.put(world_->step());
  monitor_.save(monitor);
  write_checkpoint_file(monitor_checkpoint_path(path), monitor);
}

std::filesystem::path Simulation::monitor_checkpoint_path(const std::filesystem::path& checkpoint) {
  std::filesystem::path p = checkpoint;
  p += ".monitor";
  return p;
}

void Simulation::restore_monitor(const std::filesystem::path& checkpoint, std::uint64_t step) {
  // Without the monitor file (or with one from another step) the timeline starts afresh.
  const std::filesystem::path file = monitor_checkpoint_path(checkpoint);
  if (!std::filesystem::exists(file)) return;
  CheckpointFileReader reader(file);
  CheckpointReader& in = reader.payload();
  if (in.get<std::uint64_t>("monitor step") != step) return;
  monitor_.restore(in);
}

void Simulation::resume(const std::filesystem::path& checkpoint) {
  try {
    resume_from(checkpoint);
  } catch (const CheckpointError& e) {
    // Reader errors do not know the file; name it so the message stands on its own.
    const std::string message = e.what();
    if (message.rfind("checkpoint is", 0) == 0)
      throw CheckpointError(checkpoint.string() + ": " + message);
    throw;
  }
}

void Simulation::resume_from(const std::filesystem::path& checkpoint) {
  // Every rank reads the file through a fixed buffer (no copy of the payload in memory; the file
  // is on a filesystem every rank sees). Opening is collective: a rank that cannot read the file
  // makes every rank throw the same error.
  const std::unique_ptr<CheckpointFileReader> file =
      open_checkpoint_on_ranks(world_->ranks(), checkpoint);
  CheckpointReader& in = file->payload();
  const std::string name = checkpoint.string();
  const std::string model = in.get_string("model name");
  if (model != settings_.model)
    throw CheckpointError(name + " was written by model '" + model + "', the config runs '" +
                          settings_.model + "'");
  if (in.get<std::uint64_t>("config hash") != settings_.config_hash ||
      in.get<std::uint64_t>("seed") != settings_.seed) {
    std::string inputs;
    for (const std::filesystem::path& file : settings_.input_files)
      inputs += (inputs.empty() ? "" : ", ") + file.string();
    throw CheckpointError(
        name + " was written with a different configuration (model parameters, populations" +
        (inputs.empty() ? std::string(" or seed differ)")
                        : ", seed or the contents of " + inputs + " differ)") +
        "; resume with the config" + (inputs.empty() ? "" : " and input files") +
        " that wrote it (only steps, threads and output settings may change)");
  }
  const auto step = in.get<std::uint64_t>("step");
  const auto next_uid = in.get<std::uint64_t>("next uid");
  if (next_uid >= kPopulationUidBase)
    throw CheckpointError(name + " is corrupt: next uid " + std::to_string(next_uid) +
                          " is out of range");
  if (step > settings_.steps) {
    const ConfigValue& steps = settings_.root.at("steps");
    throw ConfigError(steps.location(), "steps",
                      "at least " + std::to_string(step) + " (the step " + name +
                          " was written at; a resume continues from there)",
                      std::to_string(settings_.steps));
  }
  const auto layout = in.get<PopulationLayout>("population layout");
  if (layout != PopulationLayout::rows && layout != PopulationLayout::portable)
    throw CheckpointError(name + " is corrupt: unknown population layout " +
                          std::to_string(static_cast<int>(layout)));
  if (layout == PopulationLayout::rows && world_->ranks().size() > 1)
    throw CheckpointError(name + " holds one process's rows (model '" + model +
                          "' does not run over ranks): resume it on one rank");
  const SavedAgents saved = read_populations(*world_, layout, in, name, next_uid);
  rows_.clear();
  const auto rows = in.get<std::uint64_t>("metric row count");
  for (std::uint64_t r = 0; r < rows; ++r) {
    MetricRow row;
    row.step = in.get<std::uint64_t>("metric step");
    row.values = in.get_vector<double>("metric values");
    rows_.push_back(std::move(row));
  }
  if (world_->ranks().rank() == 0) restore_monitor(checkpoint, step);
  world_->set_step(step);
  world_->set_next_uid(next_uid);
  // The model re-charges what the saved run had admitted: no budget checks, no reclaiming.
  memory::ChargeContext& ctx = world_->accountant().context(0);
  struct Restoring {  // restoring for the model's load only, however it ends
    memory::ChargeContext& ctx;
    explicit Restoring(memory::ChargeContext& c) : ctx(c) { ctx.set_restoring(true); }
    ~Restoring() { ctx.set_restoring(false); }
    Restoring(const Restoring&) = delete;
    Restoring& operator=(const Restoring&) = delete;
  };
  try {
    const Restoring restoring(ctx);
    model_->load(*world_, in);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // A state the model cannot take up (lj_melt's forces from overlapping positions, say) is a
    // bad checkpoint: say which file, as every other reason a resume fails does.
    throw CheckpointError(name + " holds a state model '" + settings_.model +
                          "' cannot restore: " + e.what());
  }
  read_ledger_flags(*world_, layout, saved, in, name);
  if (!in.at_end())
    throw CheckpointError(name + " is corrupt: " + std::to_string(in.size() - in.offset()) +
                          " unexplained bytes after the model's state");
  world_->accountant().settle();
}

nlohmann::ordered_json Simulation::run_json(std::uint64_t peak_rss) const {
  nlohmann::ordered_json run;
  run["model"] = settings_.model;
  run["step"] = world_->step();
  run["steps"] = settings_.steps;
  run["threads"] = world_->threads();
  run["steps_this_process"] = steps_this_process_;
  run["wall_seconds"] = wall_seconds_;
  run["seconds_per_step"] =
      steps_this_process_ ? wall_seconds_ / static_cast<double>(steps_this_process_) : 0.0;
  run["peak_rss"] = peak_rss;
  run["peak_accounted_held"] = world_->accountant().peak_held();
  return run;
}

void Simulation::write_run_status(RunStatus status, const std::string& error) {
  if (outputs_ == nullptr) return;
  nlohmann::ordered_json run = run_json(memory::ProcessMemory::read().peak_rss);
  run["error"] = error;
  run["monitor"] = monitor_.to_json();
  outputs_->write_run_json(status, std::move(run));
}

std::string Simulation::write_outputs(RunStatus status) {
  const std::filesystem::path& dir = settings_.out_dir;
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "metrics.csv", metrics_csv(metric_names_, metric_kinds_, rows_));

  World& world = *world_;
  memory::Accountant& acc = world.accountant();
  acc.settle();
  nlohmann::ordered_json summary;
  summary["cohort_version"] = cohort_version();
  summary["schema_version"] = kOutputSchemaVersion;
  summary["model"] = settings_.model;
  summary["seed"] = settings_.seed;
  summary["steps"] = world.step();
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016" PRIx64, settings_.config_hash);
  summary["config_hash"] = hash;
  summary["populations"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < world.population_count(); ++i) {
    const Population& pop = world.population(i);
    nlohmann::ordered_json p;
    p["name"] = pop.name();
    // Over all ranks: the same numbers whatever the rank count.
    const RankGroup& ranks = world.ranks();
    p["agents"] = sum_over_ranks(ranks, static_cast<std::uint64_t>(pop.size()));
    nlohmann::ordered_json tags = nlohmann::ordered_json::object();
    for (std::size_t t = 0; t < acc.tags().size(); ++t) {
      const auto& c = pop.account().counters(memory::Scope::agents, static_cast<memory::TagId>(t));
      const std::uint64_t used = sum_over_ranks(ranks, c.used);
      if (sum_over_ranks(ranks, c.allocations) != 0)
        tags[acc.tags().name(static_cast<memory::TagId>(t))] = used;
    }
    p["agent_bytes_by_tag"] = std::move(tags);
    if (pop.options().population_budget.limited())
      p["refused_births"] = sum_over_ranks(ranks, pop.refused_births());
    summary["populations"].push_back(std::move(p));
  }
  nlohmann::ordered_json final_metrics = nlohmann::ordered_json::object();
  if (!rows_.empty())
    for (std::size_t m = 0; m < metric_names_.size(); ++m) {
      const double v = rows_.back().values[m];
      if (metric_kinds_[m] == MetricKind::count)
        final_metrics[metric_names_[m]] = static_cast<std::int64_t>(v);
      else
        final_metrics[metric_names_[m]] = v;
    }
  summary["final_metrics"] = std::move(final_metrics);
  write_file_atomically(dir / "summary.json", summary.dump(2) + "\n");

  memory::MemoryReport report = memory::MemoryReport::build(acc);
  // The metric rows kept for metrics.csv grow with the steps, not the agents: reported beside the
  // accountant's figures rather than charged, so the leak analysis of accounted bytes stays about
  // the model's memory.
  std::uint64_t history = rows_.capacity() * sizeof(MetricRow);
  for (const MetricRow& row : rows_)
    history += row.values.capacity() * sizeof(double);
  report.kept_outside.push_back({"metric_history", history});
  nlohmann::json memory_json = report.to_json();
  if (world.ranks().size() > 1) memory_json["ranks"] = rank_memory_json(world.ranks(), report);
  write_file_atomically(dir / "memory.json", memory_json.dump(2) + "\n");

  write_file_atomically(dir / "timeline.csv", monitor_.timeline_csv());
  model_->write_outputs(world, dir);

  // run.json last: once it says "completed" (or "interrupted"), every other file is final.
  nlohmann::ordered_json run = run_json(report.process.peak_rss);
  run["pool_mode"] = report.pool_mode;
  run["monitor"] = monitor_.to_json();
  if (world.end_reason()) run["ended_early"] = *world.end_reason();
  if (outputs_ != nullptr)
    outputs_->write_run_json(status, std::move(run));
  else
    write_file_atomically(dir / "run.json", with_status(status, run).dump(2) + "\n");
  return report.to_text();
}

}  // namespace cohort::engine
