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

/// Counters of one size class of one PoolSet. `chunks_in_use` is derived when asked for
/// (chunks reserved minus the free list's length, plus pass-through chunks), so it can go
/// negative in one set when chunks are freed by another thread's set; summed over all sets it is
/// exact.
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
///
class PoolSet;
void rebalance_pools(PoolSet* const* sets, std::size_t count);

/// Hot callers resolve a request size to its ClassPool once (pool_for) and then take and give
/// chunks directly; the only per-chunk bookkeeping is one allocation count per class (for the
/// hit rate). Everything else in PoolClassStats is counted when a block is taken or derived at
/// report time.
class PoolSet {
 public:
  /// One size class: a boost::pool with direct access to its free list, so the common case skips
  /// boost's second emptiness test and a miss can record the block it took.
  class ClassPool : public boost::pool<Upstream> {
   public:
    explicit ClassPool(std::size_t chunk_bytes);

    /// Size of every chunk of this class.
    std::size_t chunk_bytes() const { return requested_size; }
    /// True when take_free_chunk() can serve without taking a block from upstream.
    bool has_free_chunk() const { return !store().empty(); }
    /// Pops a free chunk; has_free_chunk() must be true.
    void* take_free_chunk() {
      ++allocations_;
      return (store().malloc)();
    }
    /// Pushes a chunk of this class (from any PoolSet of the same Accountant) on the free list.
    void give_back(void* ptr) {
      ++gives_;
      (store().free)(ptr);
    }
    /// Length of the free list from the counters (O(1)); equals free_chunks().
    std::size_t free_count() const {
      return static_cast<std::size_t>(static_cast<std::int64_t>(chunks_reserved_ + gives_) +
                                      transferred_ - static_cast<std::int64_t>(allocations_));
    }
    /// Length of the free list, walked (report time only: O(free chunks)).
    std::size_t free_chunks() const;
    /// Moves up to `wanted` free chunks from `donor` (same class, another PoolSet of the same
    /// Accountant) to this pool; returns how many moved. No statistic changes meaning: in-use
    /// counts are derived from reserved chunks minus free-list lengths, summed over sets.
    std::size_t take_surplus_from(ClassPool& donor, std::size_t wanted);

   private:
    friend class PoolSet;
    friend void rebalance_pools(PoolSet* const* sets, std::size_t count);
    std::uint64_t allocations_ = 0;
    std::uint64_t misses_ = 0;
    std::uint64_t blocks_ = 0;
    std::uint64_t block_bytes_ = 0;
    std::uint64_t chunks_reserved_ = 0;
    std::uint64_t gives_ = 0;           // chunks pushed on the free list by give_back
    std::int64_t transferred_ = 0;      // chunks moved in (+) or out (-) by rebalancing
    std::int64_t upstream_in_use_ = 0;  // pass-through chunks of this class
  };

  explicit PoolSet(PoolMode mode = default_pool_mode());
  ~PoolSet();
  PoolSet(const PoolSet&) = delete;
  PoolSet& operator=(const PoolSet&) = delete;

  /// The pool of size class `c`.
  ClassPool& class_pool(SizeClass c) { return pools_[c]; }

  /// The pool serving requests of `bytes`, or nullptr when they go upstream (large requests, or
  /// every request in pass-through mode). One compare and one table load.
  ClassPool* pool_for(std::size_t bytes) {
    if (bytes > SizeClasses::kMaxPooledBytes) [[unlikely]]
      return nullptr;
    return by_size_[SizeClasses::step_of(bytes)];
  }

  /// Allocates `bytes`; returns a null chunk if the upstream allocator fails.
  Chunk allocate(std::size_t bytes) {
    ClassPool* pool = pool_for(bytes);
    if (pool != nullptr && pool->has_free_chunk()) [[likely]]
      return {pool->take_free_chunk(), pool->chunk_bytes()};
    return allocate_slow(bytes, pool);
  }
  /// The rest of allocate(): grows `pool` by a block, or (pool == nullptr) goes upstream.
  Chunk allocate_slow(std::size_t bytes, ClassPool* pool);

  /// Returns a chunk of `bytes` (the size it was allocated with).
  void deallocate(void* ptr, std::size_t bytes) {
    if (ClassPool* pool = pool_for(bytes)) [[likely]]
      pool->give_back(ptr);
    else
      deallocate_upstream(ptr, bytes);
  }
  /// Frees a chunk that pool_for(bytes) sent upstream.
  void deallocate_upstream(void* ptr, std::size_t bytes);

  /// Bytes a request of `bytes` holds in this mode.
  std::size_t held_for(std::size_t bytes) const {
    return mode_ == PoolMode::pass_through ? bytes : SizeClasses::held_for(bytes);
  }

  PoolMode mode() const { return mode_; }
  /// Statistics of class `c`; chunks_in_use walks its free list (see PoolClassStats).
  PoolClassStats class_stats(SizeClass c) const;
  const LargeStats& large_stats() const { return large_; }

 private:
  template <std::size_t... I>
  static std::array<ClassPool, SizeClasses::kCount> make_pools(std::index_sequence<I...>) {
    return {ClassPool(SizeClasses::chunk_bytes(static_cast<SizeClass>(I)))...};
  }

  Chunk allocate_growing(ClassPool& pool);
  Chunk allocate_upstream(std::size_t bytes);

  PoolMode mode_;
  std::array<ClassPool, SizeClasses::kCount> pools_;
  // by_size_[SizeClasses::step_of(n)] = the pool for n bytes, all null in pass-through mode: one
  // load maps a size to its pool and decides the mode.
  std::array<ClassPool*, SizeClasses::kSteps> by_size_{};
  LargeStats large_{};
};

/// Rebalances free chunks between the PoolSets of one Accountant; call only when no thread
/// allocates (Accountant::settle does). A chunk freed by another thread joins that thread's free
/// list, so a thread that allocates more than it frees would otherwise keep taking new blocks
/// while others' free lists grow without bound. Equalising the free lists of each class bounds
/// the reserve: a set grows only when one step needs more than its share. Cost: O(chunks moved).
void rebalance_pools(PoolSet* const* sets, std::size_t count);

}  // namespace cohort::memory
