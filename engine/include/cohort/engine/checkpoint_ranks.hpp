#pragma once
// Checkpoint files of a run spread over ranks, streamed: rank 0 alone writes the file while every
// rank takes part in the collectives that gather the state, and every rank reads the file
// itself. Failures are collective: every rank ends with the same error, none is left waiting in
// a collective for a rank that gave up. The file must be on a filesystem every rank sees (as the
// run's output folder is: a resume names one path for all ranks).

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>

#include "cohort/engine/checkpoint.hpp"
#include "cohort/engine/rank_group.hpp"

namespace cohort::engine {

/// A checkpoint written by rank 0 of `ranks` while every rank produces the state (collectives
/// in between): rank 0's payload() streams into the file, the other ranks' is dropped. A failure
/// of rank 0 to create the folder or file, or to write, is held until commit(), so rank 0 keeps
/// pace with the others.
class RankCheckpointWriter {
 public:
  RankCheckpointWriter(const RankGroup& ranks, const std::filesystem::path& path);
  ~RankCheckpointWriter();
  RankCheckpointWriter(const RankCheckpointWriter&) = delete;
  RankCheckpointWriter& operator=(const RankCheckpointWriter&) = delete;

  /// Where this rank's payload goes (to the file on rank 0 only).
  CheckpointWriter& payload() { return *payload_; }
  /// Collective: rank 0 completes the file and every rank learns whether it did. On failure
  /// rank 0 throws its own error (the temporary file removed) and every other rank a
  /// CheckpointError with the same message.
  void commit();

 private:
  class Discard;
  const RankGroup* ranks_;
  std::unique_ptr<Discard> discard_;
  std::unique_ptr<CheckpointWriter> dropped_;
  std::optional<CheckpointFileWriter> file_;
  std::exception_ptr failure_;  // rank 0: the folder could not be created
  CheckpointWriter* payload_ = nullptr;
};

/// Collective: opens the checkpoint on every rank of `ranks`, each verifying the header and CRC
/// in its own streaming pass. If any rank cannot, every rank throws the CheckpointError of the
/// lowest such rank (the message it would give alone).
std::unique_ptr<CheckpointFileReader> open_checkpoint_on_ranks(const RankGroup& ranks,
                                                               const std::filesystem::path& path);

}  // namespace cohort::engine
