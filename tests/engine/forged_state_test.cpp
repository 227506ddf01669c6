// A CRC-valid checkpoint whose state no run could have written is refused with a message, never
// resumed: a NaN or infinite position or velocity, or a flocking position outside its periodic
// box (found by fuzzing: a forged NaN position was binned and the run went on, on garbage).
#include <doctest/doctest.h>

#include <atomic>
#include <boost/crc.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/run_settings.hpp"
#include "cohort/engine/simulation.hpp"
#include "cohort/models/builtin.hpp"
#include "support/temp_dir.hpp"

using namespace cohort::engine;
namespace fs = std::filesystem;
using cohort::testing::TempDir;

namespace {

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg;
    cohort::models::register_builtin_models(reg);
    return reg;
  }();
  return r;
}

RunSettings settings(const TempDir& dir, const std::string& name, const std::string& body) {
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << body << "output: {dir: " << (dir / name).string()
                      << ", every: 5, checkpoint_every: 10}\nsteps: 20\nthreads: 1\n";
  return load_run_settings(registry(), file);
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The checkpoint's bytes with the first component of `column`'s row 0 (the lowest uid, as the
// resumed run holds it) replaced by `forged`, and the CRC made valid again.
std::string forge(const RunSettings& s, const fs::path& checkpoint, const std::string& column,
                  double forged) {
  std::string file = read_file(checkpoint);
  Simulation sim(registry(), s);
  sim.resume(checkpoint);
  const Population& pop = sim.world().population(0);
  const ComponentColumn* col = nullptr;
  for (std::size_t c = 0; c < pop.column_count(); ++c)
    if (pop.column_at(c).name() == column) col = &pop.column_at(c);
  REQUIRE(col != nullptr);
  // The column's header (its name, length-prefixed, value size and kind), then its values:
  // row 0's first.
  std::string header(sizeof(std::uint64_t), '\0');
  const std::uint64_t length = column.size();
  std::memcpy(header.data(), &length, sizeof length);
  header += column;
  const std::size_t named = file.find(header);
  REQUIRE(named != std::string::npos);
  const std::size_t at = named + header.size() + sizeof(std::uint64_t) + sizeof(ColumnKind);
  REQUIRE(std::memcmp(file.data() + at, col->bytes(), col->value_bytes()) == 0);
  std::memcpy(file.data() + at, &forged, sizeof forged);
  constexpr std::size_t kHeader = 8 + 4 + 8 + 4;  // magic, version, payload size, CRC-32
  boost::crc_32_type crc;
  crc.process_bytes(file.data() + kHeader, file.size() - kHeader);
  const std::uint32_t sum = crc.checksum();
  std::memcpy(file.data() + kHeader - 4, &sum, 4);
  return file;
}

// Runs `body` to step 20 (checkpoint at 10), forges each of `cases` into the checkpoint and
// checks the resume is refused naming what is wrong.
void check_refused(const std::string& body,
                   const std::vector<std::pair<std::string, double>>& cases,
                   const std::string& message) {
  const TempDir dir;
  const RunSettings s = settings(dir, "run", body);
  {
    Simulation sim(registry(), s);
    const std::atomic<bool> stop{false};
    sim.run(stop, nullptr);
  }
  const fs::path checkpoint = dir / "run" / "checkpoint.cohort";
  REQUIRE(fs::exists(checkpoint));
  for (const auto& [column, value] : cases) {
    CAPTURE(column);
    CAPTURE(value);
    const fs::path forged = dir / "forged.cohort";
    std::ofstream(forged, std::ios::binary) << forge(s, checkpoint, column, value);
    Simulation sim(registry(), s);
    CHECK_THROWS_WITH_AS(sim.resume(forged), doctest::Contains(message.c_str()), CheckpointError);
  }
  Simulation sim(registry(), s);  // the genuine checkpoint still resumes
  CHECK_NOTHROW(sim.resume(checkpoint));
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("a resume refuses a forged non-finite flocking position or velocity") {
  check_refused(
      "model: flocking\nseed: 4\npopulations: {birds: {size: 50}}\n"
      "space: {box: [40, 40], cutoff: 5}\n",
      {{"position", kNaN}, {"velocity", kInf}, {"position", -kInf}}, "not a finite number");
}

TEST_CASE("a resume refuses a flocking position outside its periodic box") {
  check_refused(
      "model: flocking\nseed: 4\npopulations: {birds: {size: 50}}\n"
      "space: {box: [40, 40], cutoff: 5}\n",
      {{"position", 40.0}, {"position", -1e-300}}, "outside the periodic box");
}

TEST_CASE("a resume refuses a forged non-finite lj_melt position or velocity") {
  check_refused(
      "model: lj_melt\nseed: 1\npopulations: {atoms: {size: 256}}\n"
      "parameters: {nx: 4, ny: 4, nz: 4, log_thermo: false}\n",
      {{"position", kNaN}, {"velocity", kNaN}, {"build_position", kInf}}, "not a finite number");
}

TEST_CASE("a resume refuses a forged lj_melt state whose atoms overlap, naming the file") {
  // Found by fuzzing: overlapping atoms made the forces recomputed at resume leave their
  // fixed-point range, and the std::overflow_error escaped the resume as no CheckpointError.
  const TempDir dir;
  const RunSettings s = settings(dir, "run",
                                 "model: lj_melt\nseed: 1\npopulations: {atoms: {size: 256}}\n"
                                 "parameters: {nx: 4, ny: 4, nz: 4, log_thermo: false}\n");
  {
    Simulation sim(registry(), s);
    const std::atomic<bool> stop{false};
    sim.run(stop, nullptr);
  }
  const fs::path checkpoint = dir / "run" / "checkpoint.cohort";
  REQUIRE(fs::exists(checkpoint));
  // Row 0's x moved to the x of the atom whose (y, z) is nearest its own: the two nearly meet.
  double x = 0;
  {
    Simulation sim(registry(), s);
    sim.resume(checkpoint);
    const Population& pop = sim.world().population(0);
    const ComponentColumn* col = nullptr;
    for (std::size_t c = 0; c < pop.column_count(); ++c)
      if (pop.column_at(c).name() == "position") col = &pop.column_at(c);
    REQUIRE(col != nullptr);
    const auto* p = reinterpret_cast<const double*>(col->bytes());
    double nearest = std::numeric_limits<double>::infinity();
    for (std::size_t j = 1; j < pop.size(); ++j) {
      const double dy = p[3 * j + 1] - p[1], dz = p[3 * j + 2] - p[2];
      if (dy * dy + dz * dz < nearest) {
        nearest = dy * dy + dz * dz;
        x = p[3 * j];
      }
    }
    REQUIRE(nearest < 0.2 * 0.2);
  }
  const fs::path forged = dir / "forged.cohort";
  std::ofstream(forged, std::ios::binary) << forge(s, checkpoint, "position", x);
  Simulation sim(registry(), s);
  CHECK_THROWS_WITH_AS(
      sim.resume(forged),
      doctest::Contains((forged.string() + " holds a state model 'lj_melt' cannot restore: " +
                         "lj_melt: a pair force or energy left the fixed-point range")
                            .c_str()),
      CheckpointError);
}
