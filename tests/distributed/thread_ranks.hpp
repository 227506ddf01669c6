#pragma once
// R "ranks" as threads of one process, exchanging through shared mailboxes: tests of the
// distributed layer's collectives without mpirun. Each rank's body runs on its own thread.

#include <barrier>
#include <functional>
#include <thread>
#include <vector>

#include "cohort/engine/rank_group.hpp"

namespace cohort::testing {

class ThreadRanks {
 public:
  explicit ThreadRanks(int ranks)
      : ranks_(ranks),
        sync_(ranks),
        boxes_(static_cast<std::size_t>(ranks) * static_cast<std::size_t>(ranks)) {}

  /// Runs body(group) on every rank, each on its own thread, and waits for all.
  void run(const std::function<void(const engine::RankGroup&)>& body) {
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks_; ++r)
      threads.emplace_back([this, r, &body] { body(Rank(*this, r)); });
    for (std::thread& t : threads)
      t.join();
  }

 private:
  class Rank final : public engine::RankGroup {
   public:
    Rank(ThreadRanks& all, int rank) : all_(&all), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return all_->ranks_; }
    engine::RankMessages all_gather(std::span<const std::byte> mine) const override {
      engine::RankMessages out(static_cast<std::size_t>(size()),
                               std::vector<std::byte>(mine.begin(), mine.end()));
      return exchange(out);
    }
    engine::RankMessages exchange(const engine::RankMessages& out) const override {
      const auto n = static_cast<std::size_t>(size()), me = static_cast<std::size_t>(rank_);
      for (std::size_t to = 0; to < n; ++to)
        all_->boxes_[me * n + to] = out[to];
      all_->sync_.arrive_and_wait();
      engine::RankMessages in(n);
      for (std::size_t from = 0; from < n; ++from)
        in[from] = all_->boxes_[from * n + me];
      all_->sync_.arrive_and_wait();  // nobody writes the boxes again before all have read
      return in;
    }
    void barrier() const override { all_->sync_.arrive_and_wait(); }

   private:
    ThreadRanks* all_;
    int rank_;
  };

  int ranks_;
  std::barrier<> sync_;
  std::vector<std::vector<std::byte>> boxes_;  // [from * ranks + to]
};

}  // namespace cohort::testing
