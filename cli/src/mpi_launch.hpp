#pragma once
// MPI for `cohort run` started by mpirun or srun (in a build with -DCOHORT_MPI=ON): the session
// lives as long as the program, and a run reads its ranks from here. Without MPI, or when not
// started by a launcher, there are no ranks and nothing is initialised.

#include <filesystem>
#include <memory>

#include "cohort/engine/rank_group.hpp"

namespace cohort::cli {

/// Initialises MPI for the life of the object if the program was started by an MPI launcher.
class MpiLaunch {
 public:
  MpiLaunch(int argc, char** argv);
  ~MpiLaunch();
  MpiLaunch(const MpiLaunch&) = delete;
  MpiLaunch& operator=(const MpiLaunch&) = delete;
};

/// The ranks of this program when started by an MPI launcher with more than one rank, else null.
std::shared_ptr<const engine::RankGroup> launch_ranks();

/// A private folder (under TMPDIR) for the outputs of a rank other than 0, removed with all it
/// holds when the run ends.
class RankScratch {
 public:
  RankScratch();
  ~RankScratch();
  RankScratch(const RankScratch&) = delete;
  RankScratch& operator=(const RankScratch&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A run that failed on one of several ranks ends every rank at once with `code` (the others
/// would wait forever in a collective); any other code is returned.
int end_across_ranks(int code);

}  // namespace cohort::cli
