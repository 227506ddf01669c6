// Checkpoint files over ranks (ranks played by threads, distributed/thread_ranks.hpp): every rank
// reads the file itself, rank 0 alone writes it while the others take part in the collectives,
// and a failure on any rank ends every rank with the same error (none waits in a collective).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/checkpoint_ranks.hpp"
#include "distributed/thread_ranks.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;
using cohort::testing::TempDir;

namespace {

// What each rank ended with: "ok" or the message of what it threw, with the kind.
std::vector<std::string> on_ranks(int ranks, const std::function<void(const RankGroup&)>& body) {
  std::vector<std::string> ended(static_cast<std::size_t>(ranks));
  std::mutex m;
  cohort::testing::ThreadRanks group(ranks);
  group.run([&](const RankGroup& me) {
    std::string what = "ok";
    try {
      body(me);
    } catch (const CheckpointError& e) {
      what = std::string("CheckpointError: ") + e.what();
    } catch (const fs::filesystem_error& e) {
      what = std::string("filesystem_error: ") + e.what();
    }
    const std::lock_guard lock(m);
    ended[static_cast<std::size_t>(me.rank())] = what;
  });
  return ended;
}

// A checkpoint whose payload is the numbers 0..n-1 (u64).
void write_numbers(const fs::path& file, std::uint64_t n) {
  CheckpointWriter w;
  for (std::uint64_t i = 0; i < n; ++i)
    w.put(i);
  write_checkpoint_file(file, w);
}

std::vector<std::byte> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

}  // namespace

TEST_CASE("every rank reads a checkpoint from the file itself") {
  const TempDir dir;
  const fs::path file = dir / "ck.cohort";
  write_numbers(file, 300000);  // 2.4 MB: more than one buffer
  std::vector<std::uint64_t> sums(3);
  CHECK(on_ranks(3, [&](const RankGroup& me) {
          const auto reader = open_checkpoint_on_ranks(me, file);
          CheckpointReader& in = reader->payload();
          std::uint64_t sum = 0;
          for (std::uint64_t i = 0; i < 300000; ++i)
            sum += in.get<std::uint64_t>("number") == i ? i : 0;
          CHECK(in.at_end());
          sums[static_cast<std::size_t>(me.rank())] = sum;
        }) == std::vector<std::string>(3, "ok"));
  CHECK(sums == std::vector<std::uint64_t>(3, 300000ull * 299999 / 2));
}

TEST_CASE("a damaged checkpoint is refused on every rank with the one message") {
  const TempDir dir;
  const fs::path file = dir / "ck.cohort";
  write_numbers(file, 1000);
  std::vector<std::byte> bytes = read_bytes(file);
  bytes[100] ^= std::byte{0x40};
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  const std::string message =
      "CheckpointError: " + file.string() + " is corrupt: its checksum does not match its contents";
  CHECK(on_ranks(2, [&](const RankGroup& me) { open_checkpoint_on_ranks(me, file); }) ==
        std::vector<std::string>(2, message));
}

TEST_CASE("a checkpoint one rank cannot read is refused on every rank, with that rank's message") {
  // Rank 1 does not see the file (as if its filesystem were another): rank 0, which read it
  // well, throws rank 1's error too instead of going on into the next collective alone.
  const TempDir dir;
  write_numbers(dir / "ck.cohort", 10);
  const std::vector<std::string> ended = on_ranks(3, [&](const RankGroup& me) {
    open_checkpoint_on_ranks(me, me.rank() == 1 ? dir / "elsewhere.cohort" : dir / "ck.cohort");
  });
  const std::string message = "CheckpointError: cannot open checkpoint " +
                              (dir / "elsewhere.cohort").string() + ": No such file or directory";
  CHECK(ended == std::vector<std::string>(3, message));
}

TEST_CASE("rank 0 writes the checkpoint while every rank takes part in the collectives") {
  const TempDir dir;
  const fs::path file = dir / "sub" / "ck.cohort";
  CHECK(on_ranks(3, [&](const RankGroup& me) {
          RankCheckpointWriter ck(me, file);
          for (std::uint64_t part = 0; part < 4; ++part) {
            // A collective between writes; the other ranks' bytes are dropped.
            const std::uint64_t total = sum_over_ranks(me, std::uint64_t{1});
            for (std::uint64_t i = 0; i < 100000; ++i)
              ck.payload().put(me.rank() == 0 ? part * 100000 + i + total - 3 : ~i);
          }
          ck.commit();
        }) == std::vector<std::string>(3, "ok"));
  const auto reader = std::make_unique<CheckpointFileReader>(file);
  CheckpointReader& in = reader->payload();
  CHECK(in.size() == 400000 * sizeof(std::uint64_t));
  bool in_order = true;
  for (std::uint64_t i = 0; i < 400000; ++i)
    in_order = in_order && in.get<std::uint64_t>("number") == i;
  CHECK(in_order);
  CHECK(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator()) == 1);
}

TEST_CASE("a checkpoint rank 0 cannot write fails on every rank at the commit, none waits") {
  const TempDir dir;
  SUBCASE("the folder cannot be created") {
    std::ofstream(dir / "taken") << "a file where the folder should be";
    const fs::path file = dir / "taken" / "ck.cohort";
    const std::vector<std::string> ended = on_ranks(2, [&](const RankGroup& me) {
      RankCheckpointWriter ck(me, file);
      ck.payload().put(std::uint64_t{7});
      // Rank 0 keeps pace: this collective comes after its failure.
      CHECK(sum_over_ranks(me, 1) == 2);
      ck.commit();
    });
    const std::string what = ended[0].substr(ended[0].find(' ') + 1);
    CHECK(ended[0] == "filesystem_error: " + what);
    CHECK(ended[1] == "CheckpointError: " + what);
    CHECK(what.find(dir.str("taken")) != std::string::npos);
  }
  SUBCASE("the file cannot be renamed into place") {
    fs::create_directories(dir / "ck.cohort" / "in the way");
    const std::vector<std::string> ended = on_ranks(3, [&](const RankGroup& me) {
      RankCheckpointWriter ck(me, dir / "ck.cohort");
      for (int i = 0; i < 300000; ++i)
        ck.payload().put(i);
      CHECK(sum_over_ranks(me, 1) == 3);
      ck.commit();
    });
    const std::string what = "cannot write " + dir.str("ck.cohort") + ": rename failed";
    CHECK(ended[0].rfind("filesystem_error: filesystem error: " + what, 0) == 0);
    const std::string rank0 = ended[0].substr(std::string("filesystem_error: ").size());
    CHECK(ended[1] == "CheckpointError: " + rank0);
    CHECK(ended[2] == "CheckpointError: " + rank0);
    // The temporary file is gone; what was in the way is untouched.
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
    CHECK(fs::is_directory(dir / "ck.cohort" / "in the way"));
  }
}
