#pragma once
// One thread's pooled allocator: a boost::pool per size class plus the large-request path.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include <boost/pool/pool.hpp>

#include "cohort/memory/size_classes.hpp"
#include "cohort/memory/upstream.hpp"

namespace cohort::memory {

/// Where chunks come from: size-class pools, or operator new for every chunk (so ASan and
/// valgrind see each one; accounting is identical except that held == requested).
enum class PoolMode : std::uint8_t { pooled, pass_through };

/// The build's default mode (COHORT_MEMORY_PASSTHROUGH), overridable at run time by setting the
/// environment variable COHORT_MEMORY_PASSTHROUGH to 1 or 0.
PoolMode default_pool_mode();

/// A chunk handed out by a PoolSet, with the bytes it really occupies.
struct Chunk {
  void* ptr = nullptr;
  std::size_t held = 0;
};

/// Counters of one size class of one PoolSet. `chunks_in_use` can go negative in one set when
/// chunks are freed by another thread's set; summed over all sets it is exact.
struct PoolClassStats {
  std::uint64_t allocations = 0;      ///< chunks handed out
  std::uint64_t misses = 0;           ///< allocations that had to take a new block upstream
  std::int64_t chunks_in_use = 0;     ///< handed out and not yet returned
  std::uint64_t blocks = 0;           ///< blocks taken from upstream
  std::uint64_t block_bytes = 0;      ///< bytes of those blocks, bookkeeping included
  std::uint64_t chunks_reserved = 0;  ///< chunks those blocks hold
};

/// Counters of the large-request path (requests above SizeClasses::kMaxPooledBytes).
struct LargeStats {
  std::uint64_t allocations = 0;
  std::int64_t bytes_in_use = 0;
  std::int64_t in_use = 0;
};

/// The pooled allocator of one thread. Not thread safe by design: each thread owns one.
/// A chunk may be freed through a different PoolSet than the one that allocated it (an agent
/// stepped by another thread next step): it joins that set's free list. That is safe because all
/// sets of an Accountant live and die together (purge happens only at teardown).
/// Uses only boost::pool's unordered malloc/free, which are O(1).
class PoolSet {
 public:
  explicit PoolSet(PoolMode mode = default_pool_mode());
  ~PoolSet();
  PoolSet(const PoolSet&) = delete;
  PoolSet& operator=(const PoolSet&) = delete;

  /// Allocates `bytes`; returns a null chunk if the upstream allocator fails.
  Chunk allocate(std::size_t bytes) {
    const SizeClass c = SizeClasses::of(bytes);
    if (c == SizeClasses::kLargeClass || mode_ == PoolMode::pass_through) [[unlikely]]
      return allocate_upstream(bytes, c);
    ClassPool& pool = pools_[c];
    PoolClassStats& st = stats_[c];
    if (pool.has_free_chunk()) [[likely]] {
      ++st.allocations;
      ++st.chunks_in_use;
      return {pool.take_free_chunk(), SizeClasses::chunk_bytes(c)};
    }
    return allocate_growing(c);
  }

  /// Returns a chunk of `bytes` (the size it was allocated with).
  void deallocate(void* ptr, std::size_t bytes) {
    const SizeClass c = SizeClasses::of(bytes);
    if (c == SizeClasses::kLargeClass || mode_ == PoolMode::pass_through) [[unlikely]] {
      deallocate_upstream(ptr, bytes, c);
      return;
    }
    --stats_[c].chunks_in_use;
    pools_[c].free(ptr);
  }

  /// Bytes a request of `bytes` holds in this mode.
  std::size_t held_for(std::size_t bytes) const {
    return mode_ == PoolMode::pass_through ? bytes : SizeClasses::held_for(bytes);
  }

  PoolMode mode() const { return mode_; }
  const PoolClassStats& class_stats(SizeClass c) const { return stats_[c]; }
  const LargeStats& large_stats() const { return large_; }

 private:
  // boost::pool with access to its free store, so the common case skips a second emptiness test
  // and a miss can record the block it took.
  class ClassPool : public boost::pool<Upstream> {
   public:
    explicit ClassPool(std::size_t chunk_bytes);
    bool has_free_chunk() const { return !store().empty(); }
    void* take_free_chunk() { return (store().malloc)(); }
    /// Size in bytes of the most recently added block.
    std::size_t newest_block_bytes() const { return list.total_size(); }
  };

  template <std::size_t... I>
  static std::array<ClassPool, SizeClasses::kCount> make_pools(std::index_sequence<I...>) {
    return {ClassPool(SizeClasses::chunk_bytes(static_cast<SizeClass>(I)))...};
  }

  Chunk allocate_growing(SizeClass c);
  Chunk allocate_upstream(std::size_t bytes, SizeClass c);
  void deallocate_upstream(void* ptr, std::size_t bytes, SizeClass c);

  PoolMode mode_;
  std::array<ClassPool, SizeClasses::kCount> pools_;
  std::array<PoolClassStats, SizeClasses::kCount> stats_{};
  LargeStats large_{};
};

}  // namespace cohort::memory
