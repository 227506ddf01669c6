#pragma once
// The populations' part of a checkpoint (and the agents' ledger flags, which follow the model's
// section), in one of two layouts:
//  - rows: this process's rows as they are: the handle index, uids, value columns. Resuming gives
//    back the very same rows and handles. Models whose agents stay on one process write this.
//  - portable: every rank's agents gathered to rank 0 and sorted by uid, without handles; pooled
//    per-agent data by content, through the population's payload codec (AgentPayloadCodec). The
//    file then does not depend on how the agents were spread over ranks (or rows), and a resume
//    on any rank count gives every rank every agent, for the model's load() to keep its own.
//    Distributed models write this, on any rank count.
#include <cstdint>
#include <string>
#include <vector>

#include "cohort/engine/checkpoint_io.hpp"
#include "cohort/engine/world.hpp"

namespace cohort::engine {

enum class PopulationLayout : std::uint8_t { rows = 0, portable = 1 };

/// What the populations' section hands to the ledger section: in the portable layout, each
/// population's agents in uid order and their ledger flags (empty without a ledger).
struct SavedAgents {
  std::vector<std::vector<Uid>> uids;
  std::vector<std::vector<std::uint8_t>> flags;
};

/// Writes every population. Portable: collective over world.ranks(); only rank 0 writes the
/// agents to its `out` (the other ranks' gets the population count and names only), one column
/// of all agents at a time; pooled per-agent data goes by the payload codec, and a population
/// with pooled data but no codec throws CheckpointError (its handles are addresses on one
/// process). The returned uids are filled by read_populations only.
SavedAgents write_populations(const World& world, PopulationLayout layout, CheckpointWriter& out);
/// Writes the ledger flags (after the model's section).
void write_ledger_flags(const World& world, PopulationLayout layout, const SavedAgents& saved,
                        CheckpointWriter& out);

/// Reads what write_populations wrote into the (cleared) populations; `file` names the
/// checkpoint in errors. Throws CheckpointError if it does not fit the model's populations.
SavedAgents read_populations(World& world, PopulationLayout layout, CheckpointReader& in,
                             const std::string& file, std::uint64_t next_uid);
/// Reads the ledger flags, after the model's load(): in the portable layout by uid, so the agents
/// the model kept get theirs.
void read_ledger_flags(World& world, PopulationLayout layout, const SavedAgents& saved,
                       CheckpointReader& in, const std::string& file);

}  // namespace cohort::engine
