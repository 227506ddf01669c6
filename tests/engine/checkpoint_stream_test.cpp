// Checkpoints stream to and from their file through a fixed buffer: the bytes are those of the
// in-memory payload, the buffer never grows with the state, and a damaged file is refused with
// the same messages as before streaming.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/checkpoint_io.hpp"
#include "support/checkpoint_error.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
using cohort::testing::checkpoint_error;
namespace fs = std::filesystem;

namespace {

// Collects what a streaming writer sends, counting the calls.
struct MemorySink final : CheckpointSink {
  std::vector<std::byte> bytes;
  int writes = 0;
  void write(const std::byte* data, std::size_t size) override {
    bytes.insert(bytes.end(), data, data + size);
    ++writes;
  }
};

// Serves a byte span in the pieces a streaming reader asks for.
struct MemorySource final : CheckpointSource {
  const std::vector<std::byte>& bytes;
  std::size_t at = 0;
  explicit MemorySource(const std::vector<std::byte>& b) : bytes(b) {}
  void read(std::byte* out, std::size_t size) override {
    REQUIRE(size <= bytes.size() - at);
    std::memcpy(out, bytes.data() + at, size);
    at += size;
  }
};

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A payload of small values around a column larger than any buffer here.
void put_state(CheckpointWriter& w, const std::vector<double>& column) {
  w.put(std::uint32_t{0xC0FFEE});
  w.put_string("walkers");
  w.put_vector(column);
  w.put(true);
  w.put<std::uint16_t>(7);
}

// Reads back what put_state wrote, to the end.
void check_state(CheckpointReader& r, const std::vector<double>& column) {
  CHECK(r.get<std::uint32_t>("magic") == 0xC0FFEEu);
  CHECK(r.get_string("name") == "walkers");
  CHECK(r.get_vector<double>("values") == column);
  CHECK(r.get<bool>("flag"));
  CHECK(r.get<std::uint16_t>("last") == 7);
  CHECK(r.at_end());
}

}  // namespace

TEST_CASE("a streaming writer sends the in-memory writer's bytes through a fixed buffer") {
  std::vector<double> column(5000);
  std::iota(column.begin(), column.end(), 0.5);
  CheckpointWriter memory;
  put_state(memory, column);

  MemorySink sink;
  CheckpointWriter streaming(sink, 64);
  put_state(streaming, column);
  CHECK(streaming.bytes().size() <= 64);  // never more than the buffer held back
  streaming.flush();
  CHECK(streaming.bytes().empty());
  CHECK(streaming.size() == memory.bytes().size());
  CHECK(sink.bytes == memory.bytes());
  CHECK(sink.writes == 3);  // buffered header fields, the column straight through, the tail

  // Read back through a buffer smaller than the column and than some values' runs.
  MemorySource source(sink.bytes);
  CheckpointReader r(source, sink.bytes.size(), 16);
  check_state(r, column);
  CHECK(checkpoint_error([&] { r.get<std::uint8_t>("one more"); }) ==
        "checkpoint is truncated: cannot read one more at byte " +
            std::to_string(sink.bytes.size()));
}

TEST_CASE("a streaming reader refuses what the in-memory reader refuses, with its messages") {
  CheckpointWriter w;
  w.put(false);
  w.put<std::uint8_t>(63);
  w.put<std::uint64_t>(3);  // claims three doubles, holds two
  w.put(1.0);
  w.put(2.0);
  const std::vector<std::byte> bytes = w.bytes();
  MemorySource source(bytes);
  CheckpointReader r(source, bytes.size(), 2);  // the three bytes span two refills
  CHECK_FALSE(r.get<bool>("first flag"));
  r.get_bytes(nullptr, 0, "nothing");
  std::byte three[3];
  r.get_bytes(three, 3, "three bytes");
  CHECK(static_cast<int>(three[0]) == 63);
  MemorySource second(bytes);
  CheckpointReader again(second, bytes.size(), 1);
  again.get<bool>("first flag");
  CHECK(checkpoint_error([&] { again.get<bool>("list fallback flag"); }) ==
        "checkpoint is corrupt: list fallback flag at byte 1 is 63, expected 0 or 1");
  CHECK(again.offset() == 1);  // nothing consumed
  again.get<std::uint8_t>("the byte itself");
  CHECK(checkpoint_error([&] { again.get_vector<double>("metric values"); }) ==
        "checkpoint is truncated or corrupt: metric values claims 3 elements at byte 10");
}

TEST_CASE("a checkpoint file streams out and back in, byte for byte") {
  const cohort::testing::TempDir dir;
  const fs::path file = dir / "state.cohort";
  std::vector<double> column(3 * kCheckpointBufferBytes / sizeof(double) + 11);
  std::iota(column.begin(), column.end(), -1.0);
  CheckpointWriter memory;
  put_state(memory, column);
  {
    CheckpointFileWriter out(file);
    put_state(out.payload(), column);
    CHECK(out.payload().bytes().capacity() <= kCheckpointBufferBytes);
    out.commit();
  }
  // The layout: magic, version, payload size, CRC-32, payload (what write_checkpoint_file of
  // the in-memory payload writes).
  const std::string bytes = read_bytes(file);
  REQUIRE(bytes.size() == 24 + memory.bytes().size());
  CHECK(bytes.substr(0, 8) == "COHORTCK");
  CHECK(std::memcmp(bytes.data() + 24, memory.bytes().data(), memory.bytes().size()) == 0);
  write_checkpoint_file(dir / "copy.cohort", memory);
  CHECK(read_bytes(dir / "copy.cohort") == bytes);
  CHECK(read_checkpoint_file(file) == memory.bytes());
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 2);

  CheckpointFileReader in(file);
  CheckpointReader& r = in.payload();
  CHECK(r.size() == memory.bytes().size());
  check_state(r, column);
}

TEST_CASE("an abandoned checkpoint leaves no temporary file and keeps the previous one") {
  const cohort::testing::TempDir dir;
  const fs::path file = dir / "state.cohort";
  CheckpointWriter old;
  old.put_string("previous");
  write_checkpoint_file(file, old);
  const std::string before = read_bytes(file);
  {
    CheckpointFileWriter out(file);
    out.payload().put_vector(std::vector<double>(kCheckpointBufferBytes, 1.0));
  }  // an exception in a model's save() ends here, before commit()
  CHECK(read_bytes(file) == before);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("a damaged checkpoint file is refused through the streaming reader") {
  const cohort::testing::TempDir dir;
  const fs::path file = dir / "state.cohort";
  CheckpointWriter w;
  put_state(w, std::vector<double>(kCheckpointBufferBytes / 4, 2.5));  // two buffers' worth
  write_checkpoint_file(file, w);
  const std::string good = read_bytes(file);
  const std::string name = file.string();

  SUBCASE("a flipped byte late in the payload") {
    std::string bad = good;
    bad[bad.size() - 5] = static_cast<char>(bad[bad.size() - 5] ^ 0x10);
    write_bytes(file, bad);
    CHECK(checkpoint_error([&] { CheckpointFileReader r(file); }) ==
          name + " is corrupt: its checksum does not match its contents");
    CHECK(checkpoint_error([&] { read_checkpoint_file(file); }) ==
          name + " is corrupt: its checksum does not match its contents");
  }
  SUBCASE("a payload cut short") {
    write_bytes(file, good.substr(0, good.size() - 100));
    CHECK(checkpoint_error([&] { CheckpointFileReader r(file); }) ==
          name + " is truncated: the header promises " + std::to_string(w.bytes().size()) +
              " bytes of state, the file holds " + std::to_string(w.bytes().size() - 100));
  }
  SUBCASE("a header cut short") {
    write_bytes(file, good.substr(0, 20));
    CHECK(checkpoint_error([&] { CheckpointFileReader r(file); }) ==
          name + " is truncated: its 20 bytes are shorter than the 24-byte checkpoint header");
  }
  SUBCASE("no header") {
    write_bytes(file, "COHORT");
    CHECK(checkpoint_error([&] { CheckpointFileReader r(file); }) ==
          name + " is not a cohort checkpoint (no COHORTCK header)");
  }
  SUBCASE("no file") {
    fs::remove(file);
    CHECK(checkpoint_error([&] { CheckpointFileReader r(file); }) ==
          "cannot open checkpoint " + name + ": No such file or directory");
  }
}
