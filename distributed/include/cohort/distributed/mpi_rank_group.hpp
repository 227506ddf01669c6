#pragma once
// The ranks of MPI_COMM_WORLD as an engine::RankGroup (built with -DCOHORT_MPI=ON).

#include <memory>

#include "cohort/engine/rank_group.hpp"

namespace cohort::distributed {

/// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun): only then does
/// `cohort run` initialise MPI, so a plain start pays nothing.
bool launched_by_mpi();

/// Initialises MPI (thread level funneled: only the main thread calls MPI) on construction and
/// finalises it on destruction. One per process.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  /// MPI_COMM_WORLD as a RankGroup.
  std::shared_ptr<const engine::RankGroup> world() const { return world_; }
  /// Ends every rank at once (MPI_Abort) with `code`: for an error on one rank only, which would
  /// leave the others waiting in a collective.
  [[noreturn]] static void abort(int code);

 private:
  std::shared_ptr<const engine::RankGroup> world_;
};

}  // namespace cohort::distributed
