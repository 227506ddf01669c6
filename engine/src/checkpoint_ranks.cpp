#include "cohort/engine/checkpoint_ranks.hpp"

#include <exception>
#include <string>
#include <vector>

namespace cohort::engine {

namespace {

// Every rank's outcome (empty: success; else the error's message), on every rank; the first
// failure's message, or nothing.
std::optional<std::string> first_failure(const RankGroup& ranks, const std::string* mine) {
  std::vector<std::byte> message;
  if (mine != nullptr) {
    message.push_back(std::byte{1});
    for (const char ch : *mine)
      message.push_back(static_cast<std::byte>(ch));
  }
  for (const std::vector<std::byte>& m : ranks.all_gather(message))
    if (!m.empty()) return std::string(reinterpret_cast<const char*>(m.data()) + 1, m.size() - 1);
  return std::nullopt;
}

}  // namespace

// The other ranks' payload: counted, never kept.
class RankCheckpointWriter::Discard final : public CheckpointSink {
 public:
  void write(const std::byte*, std::size_t) override {}
};

RankCheckpointWriter::RankCheckpointWriter(const RankGroup& ranks,
                                           const std::filesystem::path& path)
    : ranks_(&ranks) {
  if (ranks.rank() == 0) {
    try {
      std::filesystem::create_directories(path.parent_path());
    } catch (const std::filesystem::filesystem_error&) {
      failure_ = std::current_exception();
    }
  }
  if (ranks.rank() == 0 && !failure_) {
    file_.emplace(path, WriteFailure::at_commit);
    payload_ = &file_->payload();
  } else {
    discard_ = std::make_unique<Discard>();
    dropped_ = std::make_unique<CheckpointWriter>(*discard_);
    payload_ = dropped_.get();
  }
}

RankCheckpointWriter::~RankCheckpointWriter() = default;

void RankCheckpointWriter::commit() {
  std::exception_ptr failure = failure_;
  if (file_) {
    try {
      file_->commit();
    } catch (const std::filesystem::filesystem_error&) {
      failure = std::current_exception();
    }
  }
  std::string what;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      what = e.what();
    }
  }
  // The one collective after the state: a rank that gave up on the file waits for no one after.
  const std::optional<std::string> agreed = first_failure(*ranks_, failure ? &what : nullptr);
  if (failure) std::rethrow_exception(failure);
  if (agreed) throw CheckpointError(*agreed);
}

std::unique_ptr<CheckpointFileReader> open_checkpoint_on_ranks(const RankGroup& ranks,
                                                               const std::filesystem::path& path) {
  if (ranks.size() == 1) return std::make_unique<CheckpointFileReader>(path);
  std::unique_ptr<CheckpointFileReader> file;
  std::string what;
  try {
    file = std::make_unique<CheckpointFileReader>(path);
  } catch (const CheckpointError& e) {
    what = e.what();
  }
  const std::optional<std::string> agreed = first_failure(ranks, file ? nullptr : &what);
  if (agreed) throw CheckpointError(*agreed);
  return file;
}

}  // namespace cohort::engine
