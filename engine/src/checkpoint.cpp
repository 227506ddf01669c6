#include "cohort/engine/checkpoint.hpp"

#include <unistd.h>

#include <array>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <system_error>

namespace cohort::engine {

namespace {
constexpr char kMagic[8] = {'C', 'O', 'H', 'O', 'R', 'T', 'C', 'K'};
constexpr std::size_t kHeaderBytes = 8 + 4 + 8 + 4;
using Header = std::array<std::byte, kHeaderBytes>;

Header make_header(std::uint64_t size, std::uint32_t crc) {
  Header h{};
  std::byte* at = h.data();
  auto put = [&](const void* v, std::size_t n) {
    std::memcpy(at, v, n);
    at += n;
  };
  put(kMagic, sizeof kMagic);
  put(&kCheckpointVersion, sizeof kCheckpointVersion);
  put(&size, sizeof size);
  put(&crc, sizeof crc);
  return h;
}
}  // namespace

// The temporary file, its CRC and size so far, and the failure path (the same messages and
// cleanup as write_file_atomically).
class CheckpointFileWriter::Sink final : public CheckpointSink {
 public:
  Sink(std::filesystem::path path, WriteFailure failure)
      : path_(std::move(path)),
        tmp_(path_.string() + ".tmp." + std::to_string(::getpid())),
        defer_(failure == WriteFailure::at_commit) {
    guarded([&] {
      file_ = std::fopen(tmp_.c_str(), "wb");
      if (file_ == nullptr) fail("cannot create " + tmp_.string());
      // A placeholder header: the real one is known once the payload has gone through.
      const Header placeholder{};
      if (std::fwrite(placeholder.data(), 1, placeholder.size(), file_) != placeholder.size())
        fail("write failed");
    });
  }
  ~Sink() override {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(tmp_, ignored);
    }
  }
  void write(const std::byte* data, std::size_t size) override {
    if (failure_) return;  // deferred: the file is gone, commit() reports why
    guarded([&] {
      crc_.process_bytes(data, size);
      size_ += size;
      if (std::fwrite(data, 1, size, file_) != size) fail("write failed");
    });
  }
  void commit() {
    if (failure_) std::rethrow_exception(failure_);
    const Header header = make_header(size_, crc_.checksum());
    const bool written = std::fseek(file_, 0, SEEK_SET) == 0 &&
                         std::fwrite(header.data(), 1, header.size(), file_) == header.size();
    const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!closed || !written || !flushed) fail("write failed");
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) fail("rename failed");
    committed_ = true;
  }

 private:
  // Runs `step`; a failure it throws is held for commit() when failures are deferred.
  template <class Step>
  void guarded(Step&& step) {
    if (!defer_) return step();
    try {
      step();
    } catch (const std::filesystem::filesystem_error&) {
      failure_ = std::current_exception();
    }
  }
  // A filesystem_error (a runtime_error), so callers report it as an I/O failure.
  [[noreturn]] void fail(const std::string& what) {
    const std::error_code reason(errno, std::generic_category());
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
    throw std::filesystem::filesystem_error("cannot write " + path_.string() + ": " + what, path_,
                                            reason);
  }

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::FILE* file_ = nullptr;
  boost::crc_32_type crc_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
  bool defer_;
  std::exception_ptr failure_;  // the first failure, deferred to commit()
};

CheckpointFileWriter::CheckpointFileWriter(std::filesystem::path path, WriteFailure failure)
    : sink_(std::make_unique<Sink>(std::move(path), failure)),
      payload_(std::make_unique<CheckpointWriter>(*sink_)) {}

CheckpointFileWriter::~CheckpointFileWriter() = default;

void CheckpointFileWriter::commit() {
  payload_->flush();
  sink_->commit();
}

// The open checkpoint file, positioned at the payload; a short read means the file changed
// after it was verified.
class CheckpointFileReader::Source final : public CheckpointSource {
 public:
  explicit Source(const std::filesystem::path& path) : name_(path.string()) {
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr)
      throw CheckpointError("cannot open checkpoint " + name_ + ": " + std::strerror(errno));
  }
  ~Source() override { std::fclose(file_); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  void read(std::byte* out, std::size_t size) override {
    if (std::fread(out, 1, size, file_) != size)
      throw CheckpointError(name_ + " is truncated: it changed while it was being read");
  }
  // Reads up to `size` bytes; returns how many there were.
  std::size_t read_some(std::byte* out, std::size_t size) {
    return std::fread(out, 1, size, file_);
  }
  void rewind_to_payload() {
    if (std::fseek(file_, static_cast<long>(kHeaderBytes), SEEK_SET) != 0)
      throw CheckpointError("cannot read checkpoint " + name_ + ": " + std::strerror(errno));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::FILE* file_ = nullptr;
};

CheckpointFileReader::CheckpointFileReader(const std::filesystem::path& path)
    : source_(std::make_unique<Source>(path)) {
  const std::string& name = source_->name();
  Header bytes{};
  const std::size_t got = source_->read_some(bytes.data(), bytes.size());
  if (got < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw CheckpointError(name + " is not a cohort checkpoint (no COHORTCK header)");
  if (got < kHeaderBytes)
    throw CheckpointError(name + " is truncated: its " + std::to_string(got) +
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
  // One pass over the payload through a fixed buffer: its length and its CRC.
  boost::crc_32_type sum;
  std::uint64_t held = 0;
  std::vector<std::byte> buffer(kCheckpointBufferBytes);
  for (std::size_t n; (n = source_->read_some(buffer.data(), buffer.size())) > 0; held += n)
    sum.process_bytes(buffer.data(), n);
  if (held != size)
    throw CheckpointError(name + " is truncated: the header promises " + std::to_string(size) +
                          " bytes of state, the file holds " + std::to_string(held));
  if (sum.checksum() != crc)
    throw CheckpointError(name + " is corrupt: its checksum does not match its contents");
  source_->rewind_to_payload();
  payload_ = std::make_unique<CheckpointReader>(*source_, static_cast<std::size_t>(size));
}

CheckpointFileReader::~CheckpointFileReader() = default;

void write_checkpoint_file(const std::filesystem::path& path, const CheckpointWriter& payload) {
  CheckpointFileWriter file(path);
  file.payload().put_bytes(payload.bytes().data(), payload.bytes().size());
  file.commit();
}

std::vector<std::byte> read_checkpoint_file(const std::filesystem::path& path) {
  CheckpointFileReader file(path);
  CheckpointReader& in = file.payload();
  std::vector<std::byte> payload(in.size());
  in.get_bytes(payload.data(), payload.size(), "payload");
  return payload;
}

}  // namespace cohort::engine
