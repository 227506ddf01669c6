#include "cohort/engine/checkpoint.hpp"

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>

#include "cohort/engine/atomic_file.hpp"

namespace cohort::engine {

namespace {
constexpr char kMagic[8] = {'C', 'O', 'H', 'O', 'R', 'T', 'C', 'K'};
constexpr std::size_t kHeaderBytes = 8 + 4 + 8 + 4;

std::uint32_t crc32(const std::byte* data, std::size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}
}  // namespace

void write_checkpoint_file(const std::filesystem::path& path, const CheckpointWriter& payload) {
  CheckpointWriter file;
  file.put_bytes(kMagic, sizeof kMagic);
  file.put(kCheckpointVersion);
  file.put<std::uint64_t>(payload.bytes().size());
  file.put(crc32(payload.bytes().data(), payload.bytes().size()));
  file.put_bytes(payload.bytes().data(), payload.bytes().size());
  const auto& bytes = file.bytes();
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<std::byte> read_checkpoint_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("cannot open checkpoint " + name + ": " + std::strerror(errno));
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>{});
  const auto* begin = reinterpret_cast<const std::byte*>(raw.data());
  const std::vector<std::byte> bytes(begin, begin + raw.size());
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError(name + " is not a cohort checkpoint (no COHORTCK header)");
  if (bytes.size() < kHeaderBytes)
    throw CheckpointError(name + " is truncated: its " + std::to_string(bytes.size()) +
                          " bytes are shorter than the " + std::to_string(kHeaderBytes) +
                          "-byte checkpoint header");
  CheckpointReader header(bytes.data() + sizeof kMagic, kHeaderBytes - sizeof kMagic);
  const auto version = header.get<std::uint32_t>("format version");
  const auto size = header.get<std::uint64_t>("payload size");
  const auto crc = header.get<std::uint32_t>("checksum");
  if (version != kCheckpointVersion)
    throw CheckpointError(name + " has checkpoint format version " + std::to_string(version) +
                          "; this cohort reads version " + std::to_string(kCheckpointVersion) +
                          ". Resume it with the cohort version that wrote it");
  if (bytes.size() - kHeaderBytes != size)
    throw CheckpointError(name + " is truncated: the header promises " + std::to_string(size) +
                          " bytes of state, the file holds " +
                          std::to_string(bytes.size() - kHeaderBytes));
  std::vector<std::byte> payload(bytes.begin() + kHeaderBytes, bytes.end());
  if (crc32(payload.data(), payload.size()) != crc)
    throw CheckpointError(name + " is corrupt: its checksum does not match its contents");
  return payload;
}

}  // namespace cohort::engine
