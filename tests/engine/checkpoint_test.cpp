// Checkpoints: a run stopped, written, destroyed and resumed in a new Simulation gives the same
// outputs as a run straight through; unusable checkpoints are refused with a message saying why.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/models/builtin.hpp"
#include "support/checkpoint_error.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;

namespace {

using cohort::testing::checkpoint_error;
using cohort::testing::TempDir;

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// What a test run varies.
struct Config {
  std::uint64_t threads = 1;
  std::uint64_t seed = 7;
  double birth_rate = 0.03;
  std::uint64_t size = 3000;
  std::string model = "random_walk";
};

// 3000 walkers for 40 steps with a metrics row every 3 steps (so the final row, 40, is extra).
// The 48-byte budget makes a walker reclaim its trail at its 5th move (growing 4 -> 8 cells
// crosses the soft limit) and be refused, and frozen, at its 12th (16 cells need 64 B): at the
// step-17 checkpoint some trails are frozen and some not. Births and deaths churn rows and
// recycle ids throughout.
std::string config_yaml(const Config& c, const fs::path& out_dir) {
  return "model: " + c.model + "\nseed: " + std::to_string(c.seed) +
         "\nsteps: 40\nthreads: " + std::to_string(c.threads) +
         "\noutput:\n  dir: " + out_dir.string() +
         "\n  every: 3\npopulations:\n  walkers:\n    size: " + std::to_string(c.size) +
         "\n    budget: {hard: 48B, soft: 0.9, low_water: 0.5}\n    on_refusal: freeze\n"
         "parameters:\n  width: 64\n  height: 48\n  move_probability: 0.6\n  birth_rate: " +
         std::to_string(c.birth_rate) + "\n  death_rate: 0.025\n  trail_capacity: 32\n";
}

cohort::engine::ModelRegistry make_registry() {
  ModelRegistry registry;
  cohort::models::register_builtin_models(registry);
  return registry;
}

const ModelRegistry& registry() {
  static const ModelRegistry r = make_registry();
  return r;
}

RunSettings settings_for(const TempDir& dir, const Config& c, const std::string& out_name) {
  static int configs = 0;
  const fs::path file = dir / ("run" + std::to_string(++configs) + ".yaml");
  write_bytes(file, config_yaml(c, dir / out_name));
  return load_run_settings(registry(), file);
}

// Runs to the end without interruption.
RunEnd run_all(Simulation& sim) {
  const std::atomic<bool> stop{false};
  return sim.run(stop, nullptr);
}

// Runs until `step` is done, as a SIGINT arriving during that step would: the stop flag is
// raised mid-step (by a whole-step system that changes nothing else), and run() finishes the
// step, records what it would anyway, and writes the checkpoint.
RunEnd run_until(Simulation& sim, std::uint64_t step) {
  auto stop = std::make_shared<std::atomic<bool>>(false);
  sim.world().add_system("stop_request", sim.world().phases().front(),
                         [stop, step](World&, std::uint64_t now) {
                           if (now + 1 == step) *stop = true;
                         });
  return sim.run(*stop, nullptr);
}

// An independent CRC-32 (IEEE 802.3, reflected, as zlib and boost::crc_32_type compute it).
std::uint32_t crc32(const std::string& data, std::size_t offset) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = offset; i < data.size(); ++i) {
    crc ^= static_cast<unsigned char>(data[i]);
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

template <class T>
T field_at(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

template <class T>
void set_field(std::string& bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

constexpr std::size_t kHeaderBytes = 24;  // magic 8, version 4, payload size 8, CRC 4

// A 17-step checkpoint of the standard config, written by a 1-thread run.
struct Checkpointed {
  TempDir dir;
  fs::path file;
  Checkpointed() {
    Simulation sim(registry(), settings_for(dir, Config{}, "first"));
    REQUIRE(run_until(sim, 17) == RunEnd::interrupted);
    file = sim.checkpoint_path();
  }
};

std::string resume_error(const Checkpointed& ck, const fs::path& file, const Config& c = {}) {
  Simulation sim(registry(), settings_for(ck.dir, c, "resumed"));
  return checkpoint_error([&] { sim.resume(file); });
}

}  // namespace

TEST_CASE("a run stopped at step 17, checkpointed and resumed equals a run straight through") {
  const TempDir dir;
  std::string straight_csv, straight_summary;
  {
    Simulation sim(registry(), settings_for(dir, Config{}, "straight"));
    REQUIRE(run_all(sim) == RunEnd::completed);
    CHECK(sim.world().step() == 40);
    sim.write_outputs();
    straight_csv = read_bytes(dir / "straight" / "metrics.csv");
    straight_summary = read_bytes(dir / "straight" / "summary.json");

    // The run exercised what a checkpoint must carry: churn, reclaimed and frozen trails.
    const std::vector<MetricRow>& rows = sim.metric_rows();
    REQUIRE(rows.size() == 15);  // steps 0, 3, ..., 39 and the final 40
    CHECK(rows.front().step == 0);
    CHECK(rows[13].step == 39);
    CHECK(rows.back().step == 40);
    CHECK(rows.front().values[0] == 3000);
    CHECK(rows.back().values[0] != 3000);
    CHECK(rows.back().values[5] > 100);  // frozen_trails
    // At step 15, just before the checkpoint, some trails are frozen and some still grow.
    REQUIRE(rows[5].step == 15);
    CHECK(rows[5].values[5] > 0);
    CHECK(rows[5].values[5] < rows[5].values[0] / 2);
    const Population& walkers = sim.world().population(0);
    CHECK(walkers.index_map().state().retired + walkers.size() > 3000);
    cohort::memory::TagId trail{};
    REQUIRE(sim.world().accountant().tags().find("trail", trail));
    const auto& counters = walkers.account().counters(cohort::memory::Scope::agents, trail);
    CHECK(counters.reclaimed > 0);
    CHECK(counters.refusals > 0);
  }

  const fs::path checkpoint = dir / "ck17.cohort";
  {
    Simulation first(registry(), settings_for(dir, Config{}, "first"));
    REQUIRE(run_until(first, 17) == RunEnd::interrupted);
    CHECK(first.world().step() == 17);
    REQUIRE(fs::exists(first.checkpoint_path()));
    CHECK(first.checkpoint_path() == dir / "first" / "checkpoint.cohort");
    first.write_checkpoint(checkpoint);
    // The checkpoint run() wrote on the stop request is the same state, byte for byte.
    CHECK(read_bytes(checkpoint) == read_bytes(first.checkpoint_path()));
  }  // destroyed: nothing but the file carries the state on

  for (const std::uint64_t threads : {1u, 2u}) {
    CAPTURE(threads);
    const std::string out = "resumed_on_" + std::to_string(threads);
    Config c;
    c.threads = threads;
    Simulation resumed(registry(), settings_for(dir, c, out));
    CHECK(resumed.world().threads() == threads);
    resumed.resume(checkpoint);
    CHECK(resumed.world().step() == 17);
    CHECK(resumed.metric_rows().size() == 6);  // 0, 3, ..., 15 came from the checkpoint
    REQUIRE(run_all(resumed) == RunEnd::completed);
    resumed.write_outputs();
    CHECK(read_bytes(dir / out / "metrics.csv") == straight_csv);
    CHECK(read_bytes(dir / out / "summary.json") == straight_summary);
  }
}

TEST_CASE("a 2-thread run straight through writes the same outputs as a 1-thread run") {
  const TempDir dir;
  for (const std::uint64_t threads : {1u, 2u}) {
    Config c;
    c.threads = threads;
    Simulation sim(registry(), settings_for(dir, c, "t" + std::to_string(threads)));
    REQUIRE(run_all(sim) == RunEnd::completed);
    sim.write_outputs();
  }
  CHECK(read_bytes(dir / "t1" / "metrics.csv") == read_bytes(dir / "t2" / "metrics.csv"));
  CHECK(read_bytes(dir / "t1" / "summary.json") == read_bytes(dir / "t2" / "summary.json"));
}

TEST_CASE("checkpoint_every writes checkpoints during the run, never at its end") {
  const TempDir dir;
  RunSettings s = settings_for(dir, Config{}, "out");
  s.checkpoint_every = 10;
  s.steps = 20;
  Simulation sim(registry(), std::move(s));
  std::vector<bool> present;
  const std::atomic<bool> stop{false};
  sim.run(stop, [&](const Progress& p) {
    if (p.step == 9 || p.step == 10) present.push_back(fs::exists(sim.checkpoint_path()));
  });
  CHECK(present == std::vector<bool>{false, true});
  // The one on disk is from step 10: resuming it continues from there.
  Simulation resumed(registry(), settings_for(dir, Config{}, "resumed"));
  resumed.resume(sim.checkpoint_path());
  CHECK(resumed.world().step() == 10);
}

TEST_CASE("the file is the documented header around the payload") {
  const Checkpointed ck;
  const std::string bytes = read_bytes(ck.file);
  REQUIRE(bytes.size() > kHeaderBytes);
  CHECK(bytes.substr(0, 8) == "COHORTCK");
  CHECK(field_at<std::uint32_t>(bytes, 8) == kCheckpointVersion);
  CHECK(field_at<std::uint64_t>(bytes, 12) == bytes.size() - kHeaderBytes);
  CHECK(field_at<std::uint32_t>(bytes, 20) == crc32(bytes, kHeaderBytes));
  const std::vector<std::byte> payload = read_checkpoint_file(ck.file);
  REQUIRE(payload.size() == bytes.size() - kHeaderBytes);
  CHECK(std::memcmp(payload.data(), bytes.data() + kHeaderBytes, payload.size()) == 0);
  // The payload starts with the model name, then the config hash, seed and step.
  CheckpointReader in(payload.data(), payload.size());
  CHECK(in.get_string("model") == "random_walk");
  in.get<std::uint64_t>("hash");
  CHECK(in.get<std::uint64_t>("seed") == 7);
  CHECK(in.get<std::uint64_t>("step") == 17);
}

TEST_CASE("a damaged or foreign checkpoint is refused, saying what is wrong") {
  const Checkpointed ck;
  const std::string good = read_bytes(ck.file);
  const fs::path bad = ck.dir / "bad.cohort";
  const std::string name = bad.string();

  SUBCASE("one flipped payload byte fails the checksum") {
    std::string bytes = good;
    bytes[kHeaderBytes + bytes.size() / 2] ^= 0x10;
    write_bytes(bad, bytes);
    CHECK(resume_error(ck, bad) == name + " is corrupt: its checksum does not match its contents");
  }
  SUBCASE("a flipped checksum byte fails the checksum") {
    std::string bytes = good;
    bytes[20] ^= 0x01;
    write_bytes(bad, bytes);
    CHECK(resume_error(ck, bad) == name + " is corrupt: its checksum does not match its contents");
  }
  SUBCASE("a file cut short is truncated") {
    write_bytes(bad, good.substr(0, good.size() - 10));
    const std::uint64_t payload = good.size() - kHeaderBytes;
    CHECK(resume_error(ck, bad) ==
          name + " is truncated: the header promises " + std::to_string(payload) +
              " bytes of state, the file holds " + std::to_string(payload - 10));
  }
  SUBCASE("a file cut inside its header is truncated") {
    write_bytes(bad, good.substr(0, 16));
    CHECK(resume_error(ck, bad) ==
          name + " is truncated: its 16 bytes are shorter than the " + "24-byte checkpoint header");
  }
  SUBCASE("a file with extra bytes is refused") {
    write_bytes(bad, good + "x");
    const std::uint64_t payload = good.size() - kHeaderBytes;
    CHECK(resume_error(ck, bad) ==
          name + " is truncated: the header promises " + std::to_string(payload) +
              " bytes of state, the file holds " + std::to_string(payload + 1));
  }
  SUBCASE("another magic is not a checkpoint") {
    std::string bytes = good;
    bytes[0] = 'X';
    write_bytes(bad, bytes);
    CHECK(resume_error(ck, bad) == name + " is not a cohort checkpoint (no COHORTCK header)");
  }
  SUBCASE("an empty file or a short foreign one is not a checkpoint") {
    write_bytes(bad, "");
    CHECK(resume_error(ck, bad) == name + " is not a cohort checkpoint (no COHORTCK header)");
    write_bytes(bad, "model: random_walk\n");
    CHECK(resume_error(ck, bad) == name + " is not a cohort checkpoint (no COHORTCK header)");
  }
  SUBCASE("another format version is refused before anything else is read") {
    std::string bytes = good;
    set_field<std::uint32_t>(bytes, 8, kCheckpointVersion + 1);
    write_bytes(bad, bytes.substr(0, bytes.size() - 5));  // also truncated: version wins
    CHECK(resume_error(ck, bad) ==
          name +
              " has checkpoint format version 4; this cohort reads version 3. Resume it "
              "with the cohort version that wrote it");
  }
  SUBCASE("a missing file cannot be opened") {
    const fs::path missing = ck.dir / "missing.cohort";
    CHECK(resume_error(ck, missing) ==
          "cannot open checkpoint " + missing.string() + ": No such file or directory");
  }
}

TEST_CASE("a checkpoint of another configuration is refused") {
  const Checkpointed ck;
  const std::string different =
      ck.file.string() +
      " was written with a different configuration (model parameters, populations or seed "
      "differ); resume with the config that wrote it (only steps, threads and output settings "
      "may change)";
  Config c;
  SUBCASE("a parameter") {
    c.birth_rate = 0.04;
  }
  SUBCASE("the seed") {
    c.seed = 8;
  }
  SUBCASE("a population size") {
    c.size = 2999;
  }
  CHECK(resume_error(ck, ck.file, c) == different);
}

TEST_CASE("a checkpoint of another model is refused") {
  const Checkpointed ck;
  // The same model under another name: everything else about the checkpoint would fit.
  ModelRegistry two = make_registry();
  ModelInfo copy = *two.find("random_walk");
  copy.name = "random_walk_copy";
  two.add(copy);
  Config c;
  c.model = "random_walk_copy";
  const fs::path file = ck.dir / "copy.yaml";
  write_bytes(file, config_yaml(c, ck.dir / "copy"));
  Simulation sim(two, load_run_settings(two, file));
  CHECK(checkpoint_error([&] { sim.resume(ck.file); }) ==
        ck.file.string() +
            " was written by model 'random_walk', the config runs 'random_walk_copy'");
}

TEST_CASE("a payload with a valid checksum but damaged contents is refused") {
  const Checkpointed ck;
  const std::vector<std::byte> payload = read_checkpoint_file(ck.file);
  const fs::path bad = ck.dir / "bad.cohort";
  const auto rewrite = [&](std::size_t keep, const std::string& extra) {
    CheckpointWriter w;
    w.put_bytes(payload.data(), keep);
    w.put_bytes(extra.data(), extra.size());
    write_checkpoint_file(bad, w);
  };

  SUBCASE("cut inside the ledger flags that follow the model's state") {
    rewrite(payload.size() - 3, "");
    const std::string message = resume_error(ck, bad);
    CHECK(message.starts_with(bad.string() +
                              ": checkpoint is truncated or corrupt: ledger flags claims "));
  }
  SUBCASE("bytes after the model's state") {
    rewrite(payload.size(), "abc");
    CHECK(resume_error(ck, bad) ==
          bad.string() + " is corrupt: 3 unexplained bytes after the model's state");
  }
  SUBCASE("cut right after the header fields") {
    CheckpointWriter w;
    w.put_string("random_walk");
    write_checkpoint_file(bad, w);
    CHECK(resume_error(ck, bad) ==
          bad.string() + ": checkpoint is truncated: cannot read config hash at byte 19");
  }
}

TEST_CASE("a population that died out checkpoints and resumes") {
  const TempDir dir;
  Config c;
  c.size = 0;  // empty id and component columns: zero-length reads into null buffers
  Simulation first(registry(), settings_for(dir, c, "first"));
  REQUIRE(run_until(first, 5) == RunEnd::interrupted);
  Simulation resumed(registry(), settings_for(dir, c, "resumed"));
  resumed.resume(first.checkpoint_path());
  CHECK(resumed.world().step() == 5);
  CHECK(resumed.world().population(0).size() == 0);
  REQUIRE(run_all(resumed) == RunEnd::completed);
  CHECK(resumed.metric_rows().back().values[0] == 0);
}

TEST_CASE("a checkpoint or output that cannot be written throws filesystem_error") {
  const TempDir dir;
  Simulation sim(registry(), settings_for(dir, Config{}, "out"));
  // A directory where the file should go: the final rename fails, and no temp file is left.
  fs::create_directories(dir / "taken.cohort" / "occupied");
  try {
    sim.write_checkpoint(dir / "taken.cohort");
    FAIL("no error");
  } catch (const fs::filesystem_error& e) {
    CHECK(std::string(e.what()).find("cannot write " + (dir / "taken.cohort").string() +
                                     ": rename failed") != std::string::npos);
    CHECK(e.code() == std::errc::is_a_directory);
    CHECK(e.path1() == dir / "taken.cohort");
  }
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 2);
  // A file where a directory should be.
  write_bytes(dir / "file", "");
  CHECK_THROWS_AS(sim.write_checkpoint(dir / "file" / "ck.cohort"), fs::filesystem_error);
  fs::create_directories(dir / "out" / "summary.json" / "occupied");
  CHECK_THROWS_AS(sim.write_outputs(), fs::filesystem_error);
}

TEST_CASE("CheckpointReader reads back what CheckpointWriter wrote, and never past the end") {
  CheckpointWriter w;
  w.put<std::uint32_t>(0xC0FFEEu);
  w.put_string("walkers");
  w.put_vector(std::vector<double>{1.5, -2.25});
  w.put<std::uint16_t>(7);
  REQUIRE(w.bytes().size() == 4 + 8 + 7 + 8 + 16 + 2);

  CheckpointReader r(w.bytes().data(), w.bytes().size());
  CHECK(r.get<std::uint32_t>("magic") == 0xC0FFEEu);
  CHECK(r.get_string("name") == "walkers");
  CHECK(r.get_vector<double>("values") == std::vector<double>{1.5, -2.25});
  CHECK_FALSE(r.at_end());
  CHECK(r.offset() == 43);
  CHECK(checkpoint_error([&] { r.get<std::uint32_t>("count"); }) ==
        "checkpoint is truncated: cannot read count at byte 43");
  CHECK(r.offset() == 43);  // a failed read consumes nothing
  CHECK(r.get<std::uint16_t>("last") == 7);
  CHECK(r.at_end());
  CHECK(checkpoint_error([&] { r.get<std::uint8_t>("one more"); }) ==
        "checkpoint is truncated: cannot read one more at byte 45");
  std::byte sink{};
  CHECK(checkpoint_error([&] { r.get_bytes(&sink, 1, "raw"); }) ==
        "checkpoint is truncated: cannot read raw at byte 45");
  CHECK_NOTHROW(r.get_bytes(&sink, 0, "nothing"));
}

TEST_CASE("CheckpointReader refuses a flag byte other than 0 or 1, consuming nothing") {
  CheckpointWriter w;
  w.put(true);
  w.put(false);
  w.put<std::uint8_t>(63);  // what fuzz_checkpoint forged into lj_melt's list fallback flag
  CheckpointReader r(w.bytes().data(), w.bytes().size());
  CHECK(r.get<bool>("first flag"));
  CHECK_FALSE(r.get<bool>("second flag"));
  CHECK(checkpoint_error([&] { r.get<bool>("list fallback flag"); }) ==
        "checkpoint is corrupt: list fallback flag at byte 2 is 63, expected 0 or 1");
  CHECK(r.offset() == 2);
}

TEST_CASE("CheckpointReader checks element counts before allocating") {
  CheckpointWriter w;
  w.put<std::uint64_t>(3);  // claims three doubles, holds two
  w.put(1.0);
  w.put(2.0);
  CheckpointReader r(w.bytes().data(), w.bytes().size());
  CHECK(checkpoint_error([&] { r.get_vector<double>("metric values"); }) ==
        "checkpoint is truncated or corrupt: metric values claims 3 elements at byte 8");

  CheckpointWriter huge;
  huge.put<std::uint64_t>(~std::uint64_t{0});  // would overflow a naive count * size
  huge.put<std::uint64_t>(0);
  CheckpointReader h(huge.bytes().data(), huge.bytes().size());
  CHECK(checkpoint_error([&] { h.get_vector<std::uint32_t>("agent ids"); }) ==
        "checkpoint is truncated or corrupt: agent ids claims 18446744073709551615 elements at "
        "byte 8");
  CheckpointReader s(huge.bytes().data(), huge.bytes().size());
  CHECK(checkpoint_error([&] { s.get_string("model name"); }) ==
        "checkpoint is truncated or corrupt: model name claims 18446744073709551615 elements at "
        "byte 8");

  CheckpointWriter none;
  none.put_vector(std::vector<double>{});
  CheckpointReader n(none.bytes().data(), none.bytes().size());
  CHECK(n.get_vector<double>("no values").empty());
  CHECK(n.at_end());

  CheckpointReader empty(nullptr, 0);
  CHECK(empty.at_end());
  CHECK(checkpoint_error([&] { empty.get_string("model name"); }) ==
        "checkpoint is truncated: cannot read model name at byte 0");
}
