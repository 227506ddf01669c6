// Pooled per-agent data in portable (distributed) checkpoints: each agent's blocks travel by
// content through the population's payload codec, so a checkpoint holds no address, is the same
// bytes from two processes and from any rank count, and resumes on any rank count with every
// block rebuilt and charged once (ranks played by threads, distributed/thread_ranks.hpp).
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "distributed/thread_ranks.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;
using cohort::testing::TempDir;

namespace {

struct Block {
  std::byte* data;
  std::uint32_t bytes;
};

std::uint32_t block_bytes(Uid uid) {
  return 16 + 8 * static_cast<std::uint32_t>(uid % 5);
}

// Agents hold a pooled block each, stirred every step; agent uid lives on rank uid mod R.
class Carriers final : public Model {
 public:
  void build(World& world, const ModelSetup& setup) override {
    const PopulationSetup& s = setup.population("carriers");
    ranks_ = &world.ranks();
    pop_ = &world.add_population("carriers", s.options);
    stirs_ = pop_->add_component<std::uint64_t>("stirs");
    block_ = pop_->add_component<Block>("block", ColumnKind::handle);
    tag_ = world.accountant().tags().intern("test.block");
    pop_->set_release([this](cohort::memory::ChargeContext& ctx, Row r) {
      const Block b = pop_->column(block_)[r];
      ctx.deallocate(pop_->account(), r, tag_, b.data, b.bytes);
    });
    if (setup.parameters.at("codec").as_bool())
      pop_->set_payload_codec({[this](const Population& p, Row r, std::vector<std::byte>& out) {
                                 const Block b = p.column(block_)[r];
                                 out.insert(out.end(), b.data, b.data + b.bytes);
                               },
                               [this, &world](Population&, Row r, std::span<const std::byte> in) {
                                 if (in.size() != block_bytes(pop_->uid_at(r)))
                                   throw std::invalid_argument(
                                       "a block of " + std::to_string(in.size()) + " bytes");
                                 give(world, r, static_cast<std::uint32_t>(in.size()));
                                 std::copy(in.begin(), in.end(), pop_->column(block_)[r].data);
                               }});
    for (Uid uid = 0; uid < s.size; ++uid) {
      if (!mine(uid)) continue;
      const Row r = pop_->row_of(pop_->create_with_uid(uid));
      give(world, r, block_bytes(uid));
      for (std::uint32_t k = 0; k < block_bytes(uid); ++k)
        pop_->column(block_)[r].data[k] = static_cast<std::byte>(uid * 31 + k);
    }
    world.set_next_uid(s.size);
    world.add_system("stir", "update", *pop_, [this](BlockContext& ctx, Row b, Row e) {
      for (Row r = b; r < e; ++r) {
        ++pop_->column(stirs_)[r];
        const Block bl = pop_->column(block_)[r];
        for (std::uint32_t k = 0; k < bl.bytes; ++k)
          bl.data[k] = static_cast<std::byte>(static_cast<unsigned>(bl.data[k]) * 5 + ctx.step + k);
      }
    });
  }
  std::vector<std::string> metric_names() const override { return {"agents", "stirs", "checksum"}; }
  std::vector<double> metrics(World&) override {
    std::uint64_t stirs = 0, checksum = 0;
    for (Row r = 0; r < pop_->size(); ++r) {
      stirs += pop_->column(stirs_)[r];
      const Block b = pop_->column(block_)[r];
      for (std::uint32_t k = 0; k < b.bytes; ++k)
        checksum += (pop_->uid_at(r) + 1) * (k + 1) * static_cast<unsigned>(b.data[k]);
    }
    return {static_cast<double>(sum_over_ranks(*ranks_, std::uint64_t{pop_->size()})),
            static_cast<double>(sum_over_ranks(*ranks_, stirs)),
            static_cast<double>(sum_over_ranks(*ranks_, checksum))};
  }
  // The blocks travel in the populations' section (the codec): nothing of the model's own.
  void save(const World&, CheckpointWriter&) const override {}
  void load(World&, CheckpointReader&) override {
    for (auto r = static_cast<Row>(pop_->size()); r-- > 0;)  // every rank got every agent
      if (!mine(pop_->uid_at(r))) pop_->destroy(pop_->id_at(r));
  }

 private:
  bool mine(Uid uid) const { return static_cast<int>(uid % ranks_->size()) == ranks_->rank(); }
  void give(World& world, Row r, std::uint32_t bytes) {
    const cohort::memory::AllocResult a =
        world.accountant().context(0).allocate(pop_->account(), r, tag_, bytes);
    if (!a) throw std::runtime_error("no block");
    pop_->column(block_)[r] = {static_cast<std::byte*>(a.ptr), bytes};
  }

  const RankGroup* ranks_ = nullptr;
  Population* pop_ = nullptr;
  Component<std::uint64_t> stirs_;
  Component<Block> block_;
  cohort::memory::TagId tag_ = 0;
};

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg;
    ModelInfo info{
        "carriers",
        "agents with pooled blocks (test)",
        {{"carriers", 60, "the agents", 0}},
        ParamSpec::object("parameters", {ParamSpec::boolean("codec", true, "register the codec")},
                          "test parameters"),
        [] { return std::make_unique<Carriers>(); }};
    info.distributed = true;
    reg.add(std::move(info));
    return reg;
  }();
  return r;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the carriers to step 12 over `ranks` ranks into `out` (checkpointing at step 6 with
// `checkpoint`, resuming from `resume` if given). Returns the bytes charged for blocks at the
// end, summed over ranks.
std::uint64_t run(const TempDir& dir, const std::string& out, int ranks, bool checkpoint,
                  const fs::path& resume = {}, bool codec = true) {
  const fs::path config = dir / (out + ".yaml");
  std::ofstream(config) << "model: carriers\nseed: 3\nsteps: 12\nthreads: 2\noutput:\n  dir: "
                        << (dir / out).string()
                        << "\n  every: 2\n  checkpoint_every: " << (checkpoint ? 6 : 0)
                        << "\nparameters: {codec: " << (codec ? "true" : "false") << "}\n";
  std::atomic<std::uint64_t> charged = 0;
  std::exception_ptr error;
  std::mutex error_mutex;
  cohort::testing::ThreadRanks group(ranks);
  group.run([&](const RankGroup& me) {
    try {
      RunSettings settings = load_run_settings(registry(), config);
      settings.ranks = std::shared_ptr<const RankGroup>(&me, [](auto*) {});
      // Rank 0 writes the run's folder; the others' files go to folders of their own (as the
      // CLI's scratch folders), so no two threads write one file.
      if (me.rank() != 0) settings.out_dir = dir / (out + ".rank" + std::to_string(me.rank()));
      Simulation sim(registry(), settings);
      if (!resume.empty()) sim.resume(resume);
      const std::atomic<bool> stop{false};
      sim.run(stop, nullptr);
      sim.write_outputs();
      World& world = sim.world();
      world.accountant().settle();
      const auto tag = world.accountant().tags().intern("test.block");
      charged += world.population(0).account().counters(cohort::memory::Scope::agents, tag).used;
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      error = std::current_exception();
    }
  });
  if (error) std::rethrow_exception(error);
  return charged;
}

}  // namespace

TEST_CASE("pooled per-agent data travels in portable checkpoints and resumes on any rank count") {
  const TempDir dir;
  std::uint64_t all_bytes = 0;
  for (Uid uid = 0; uid < 60; ++uid)
    all_bytes += block_bytes(uid);
  CHECK(run(dir, "straight", 1, false) == all_bytes);
  const std::string straight = read_file(dir / "straight" / "metrics.csv");
  REQUIRE(straight.size() > 50);

  // The checkpoint at step 6: the same bytes from two processes and from 1, 2 and 3 ranks.
  for (const int ranks : {1, 2, 3}) {
    CAPTURE(ranks);
    CHECK(run(dir, "ck" + std::to_string(ranks), ranks, true) == all_bytes);
    CHECK(read_file(dir / ("ck" + std::to_string(ranks)) / "metrics.csv") == straight);
  }
  const fs::path checkpoint = dir / "ck1" / "checkpoint.cohort";
  const std::string bytes = read_file(checkpoint);
  REQUIRE(bytes.size() > all_bytes);  // the blocks are in it, by content
  CHECK(read_file(dir / "ck2" / "checkpoint.cohort") == bytes);
  CHECK(read_file(dir / "ck3" / "checkpoint.cohort") == bytes);

  // Resumed on 3, 1 and 2 ranks, the run finishes as the straight one did, every block rebuilt
  // and charged once over the ranks.
  for (const int ranks : {3, 1, 2}) {
    CAPTURE(ranks);
    const std::string out = "resumed" + std::to_string(ranks);
    CHECK(run(dir, out, ranks, false, checkpoint) == all_bytes);
    CHECK(read_file(dir / out / "metrics.csv") == straight);
  }
}

TEST_CASE("a portable checkpoint of pooled data without a payload codec is refused by name") {
  const TempDir dir;
  CHECK_THROWS_WITH_AS(run(dir, "nocodec", 1, true, {}, false),
                       doctest::Contains("has no payload codec"), CheckpointError);
}

TEST_CASE(
    "a streamed portable checkpoint is the bytes the in-memory writer made, on 1, 2, 3 ranks") {
  // Size and CRC-32 (header bytes 20-23) of the carriers' step-6 checkpoint as rank 0 wrote it
  // when it gathered every rank's agents into one in-memory payload: the streamed write (one
  // column of all agents at a time) must give the very same file.
  const TempDir dir;
  for (const int ranks : {1, 2, 3}) {
    CAPTURE(ranks);
    const std::string out = "pinned" + std::to_string(ranks);
    run(dir, out, ranks, true);
    const std::string bytes = read_file(dir / out / "checkpoint.cohort");
    REQUIRE(bytes.size() > 24);
    std::uint32_t crc = 0;
    std::memcpy(&crc, bytes.data() + 20, sizeof crc);
    CHECK(bytes.size() == 3761);
    CHECK(crc == 956359126u);
  }
}
