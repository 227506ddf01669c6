#include "cohort/distributed/mpi_rank_group.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cohort::distributed {

namespace {

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI error in ") + what);
}

int to_count(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::length_error("MPI message of " + std::to_string(n) + " bytes exceeds INT_MAX");
  return static_cast<int>(n);
}

class MpiWorld final : public engine::RankGroup {
 public:
  MpiWorld() {
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  engine::RankMessages all_gather(std::span<const std::byte> mine) const override {
    const int n = to_count(mine.size());
    std::vector<int> counts(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
          "MPI_Allgather");
    std::vector<int> displs(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = to_count(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    std::vector<std::byte> all(total);
    check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(),
                         MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return split(all, counts, displs);
  }

  engine::RankMessages exchange(const engine::RankMessages& out) const override {
    const auto ranks = static_cast<std::size_t>(size_);
    if (out.size() != ranks)
      throw std::invalid_argument("exchange: " + std::to_string(out.size()) + " messages for " +
                                  std::to_string(ranks) + " ranks");
    std::vector<int> send_counts(ranks), send_displs(ranks), recv_counts(ranks), recv_displs(ranks);
    std::vector<std::byte> send;
    for (std::size_t r = 0; r < ranks; ++r) {
      send_displs[r] = to_count(send.size());
      send_counts[r] = to_count(out[r].size());
      send.insert(send.end(), out[r].begin(), out[r].end());
    }
    check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT,
                       MPI_COMM_WORLD),
          "MPI_Alltoall");
    std::size_t total = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
      recv_displs[r] = to_count(total);
      total += static_cast<std::size_t>(recv_counts[r]);
    }
    std::vector<std::byte> recv(total);
    check(MPI_Alltoallv(send.data(), send_counts.data(), send_displs.data(), MPI_BYTE, recv.data(),
                        recv_counts.data(), recv_displs.data(), MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Alltoallv");
    return split(recv, recv_counts, recv_displs);
  }

  void barrier() const override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

 private:
  static engine::RankMessages split(const std::vector<std::byte>& all,
                                    const std::vector<int>& counts,
                                    const std::vector<int>& displs) {
    engine::RankMessages out(counts.size());
    for (std::size_t r = 0; r < counts.size(); ++r)
      out[r].assign(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
    return out;
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

bool launched_by_mpi() {
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix) and MPICH's Hydra set one of these.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

MpiSession::MpiSession(int& argc, char**& argv) {
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  world_ = std::make_shared<MpiWorld>();
}

MpiSession::~MpiSession() {
  world_.reset();
  MPI_Finalize();
}

void MpiSession::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);  // not reached: MPI_Abort does not return
}

}  // namespace cohort::distributed
