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
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"

namespace cohort::engine {

inline constexpr std::uint32_t kCheckpointVersion = 3;

/// Wraps a payload in the header and writes it atomically (temp file, then rename).
void write_checkpoint_file(const std::filesystem::path& path, const CheckpointWriter& payload);

/// Reads and verifies a checkpoint; returns its payload. Throws CheckpointError naming the file
/// and what is wrong (missing, not a checkpoint, other version, truncated, checksum mismatch).
std::vector<std::byte> read_checkpoint_file(const std::filesystem::path& path);

}  // namespace cohort::engine
