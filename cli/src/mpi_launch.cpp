#include "mpi_launch.hpp"

#include "exit_codes.hpp"

#include <stdlib.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

#ifdef COHORT_MPI
#include "cohort/distributed/mpi_rank_group.hpp"
#endif

namespace cohort::cli {

namespace {

#ifdef COHORT_MPI
std::unique_ptr<distributed::MpiSession> g_session;
#endif

}  // namespace

MpiLaunch::MpiLaunch([[maybe_unused]] int argc, [[maybe_unused]] char** argv) {
#ifdef COHORT_MPI
  if (distributed::launched_by_mpi())
    g_session = std::make_unique<distributed::MpiSession>(argc, argv);
#endif
}

MpiLaunch::~MpiLaunch() {
#ifdef COHORT_MPI
  g_session.reset();
#endif
}

std::shared_ptr<const engine::RankGroup> launch_ranks() {
#ifdef COHORT_MPI
  if (g_session && g_session->world()->size() > 1) return g_session->world();
#endif
  return nullptr;
}

RankScratch::RankScratch() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cohort-rank-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::filesystem::filesystem_error("cannot create a scratch folder for this rank", pattern,
                                            std::error_code(errno, std::generic_category()));
  path_ = pattern;
}

RankScratch::~RankScratch() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

int end_across_ranks(int code) {
#ifdef COHORT_MPI
  const bool agreed = code == kOk || code == kInterrupted || code == kLeakDetected;
  if (!agreed && launch_ranks()) distributed::MpiSession::abort(code);
#endif
  return code;
}

}  // namespace cohort::cli
