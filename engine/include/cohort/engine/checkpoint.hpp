#pragma once
// Checkpoint files: a versioned header, a checksum, and the world's and model's state.
//
// Layout: "COHORTCK" (8 bytes), format version (u32), payload size (u64), CRC-32 of the payload
// (u32), payload. The payload holds the model name, config hash, seed, step and next uid, the
// populations' layout, each population's agents (rows: handles, uids and value columns in row
// order; portable: every rank's agents in uid order, no handles; never addresses), the metric
// rows so far, the model's own section (pooled data by content) and the agents' ledger flags.
// Version 3 added the layout (portable checkpoints of distributed models).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"

namespace cohort::engine {

inline constexpr std::uint32_t kCheckpointVersion = 3;

/// When a CheckpointFileWriter reports an I/O failure: at once, or only from commit() (for rank
/// 0 of a distributed run, which must keep taking part in the collectives that produce the
/// state: the bytes after a failure are dropped and commit() throws the first failure).
enum class WriteFailure { at_once, at_commit };

/// A checkpoint being written, streamed into a temporary file beside `path` through a fixed
/// buffer while its CRC and size are computed; commit() writes the header in front, flushes the
/// file to disk and renames it over `path`, so readers never see half a checkpoint. Abandoned
/// (an exception before commit()) or failed, it removes its temporary file. I/O failures throw
/// std::filesystem::filesystem_error naming the path, as write_file_atomically does.
class CheckpointFileWriter {
 public:
  explicit CheckpointFileWriter(std::filesystem::path path,
                                WriteFailure failure = WriteFailure::at_once);
  ~CheckpointFileWriter();
  CheckpointFileWriter(const CheckpointFileWriter&) = delete;
  CheckpointFileWriter& operator=(const CheckpointFileWriter&) = delete;

  /// Where the payload goes.
  CheckpointWriter& payload() { return *payload_; }
  /// Completes the file: header, fsync, rename. Throws the failure held (WriteFailure::at_commit).
  void commit();

 private:
  class Sink;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<CheckpointWriter> payload_;
};

/// A checkpoint file open for reading: the constructor verifies the header and the CRC in one
/// streaming pass, then payload() reads the state from the file through a fixed buffer (no copy
/// of the payload is held). Throws CheckpointError as read_checkpoint_file does.
class CheckpointFileReader {
 public:
  explicit CheckpointFileReader(const std::filesystem::path& path);
  ~CheckpointFileReader();
  CheckpointFileReader(const CheckpointFileReader&) = delete;
  CheckpointFileReader& operator=(const CheckpointFileReader&) = delete;

  CheckpointReader& payload() { return *payload_; }

 private:
  class Source;
  std::unique_ptr<Source> source_;
  std::unique_ptr<CheckpointReader> payload_;
};

/// Wraps a payload in the header and writes it atomically (temp file, then rename).
void write_checkpoint_file(const std::filesystem::path& path, const CheckpointWriter& payload);

/// Reads and verifies a checkpoint; returns its payload (in memory, for tools and tests: runs on
/// any rank count read through CheckpointFileReader instead). Throws
/// CheckpointError naming the file and what is wrong (missing, not a checkpoint, other version,
/// truncated, checksum mismatch).
std::vector<std::byte> read_checkpoint_file(const std::filesystem::path& path);

}  // namespace cohort::engine
