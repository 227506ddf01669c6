#include "cohort/memory/pool_set.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace cohort::memory {

namespace {
// Blocks are bounded so one class never grabs a huge mostly-empty block: the first block of a
// class holds about 4 KiB of chunks, later ones double up to 64 KiB (and at least 4 chunks).
constexpr std::size_t kFirstBlockBytes = 4096;
constexpr std::size_t kMaxBlockBytes = 64 * 1024;
}  // namespace

PoolMode default_pool_mode() {
  static const PoolMode mode = [] {
    if (const char* env = std::getenv("COHORT_MEMORY_PASSTHROUGH"); env != nullptr && *env != 0)
      return std::strcmp(env, "0") == 0 ? PoolMode::pooled : PoolMode::pass_through;
#ifdef COHORT_MEMORY_PASSTHROUGH
    return PoolMode::pass_through;
#else
    return PoolMode::pooled;
#endif
  }();
  return mode;
}

PoolSet::ClassPool::ClassPool(std::size_t chunk_bytes)
    : boost::pool<Upstream>(chunk_bytes, std::max<std::size_t>(1, kFirstBlockBytes / chunk_bytes),
                            std::max<std::size_t>(4, kMaxBlockBytes / chunk_bytes)) {}

std::size_t PoolSet::ClassPool::free_chunks() const {
  std::size_t n = 0;
  for (void* p = this->first; p != nullptr; p = nextof(p))
    ++n;
  return n;
}

PoolSet::PoolSet(PoolMode mode)
    : mode_(mode), pools_(make_pools(std::make_index_sequence<SizeClasses::kCount>{})) {
  if (mode == PoolMode::pooled)
    for (std::size_t k = 0; k < SizeClasses::kSteps; ++k)
      by_size_[k] = &pools_[SizeClasses::of(k * 16)];
}

PoolSet::~PoolSet() {
  for (ClassPool& pool : pools_)
    pool.purge_memory();
}

PoolClassStats PoolSet::class_stats(SizeClass c) const {
  const ClassPool& p = pools_[c];
  PoolClassStats st;
  st.allocations = p.allocations_;
  st.misses = p.misses_;
  // Every reserved chunk is either on this set's free list or handed out; chunks freed here
  // after another set handed them out lengthen the list, which the other set's count balances.
  st.chunks_in_use = static_cast<std::int64_t>(p.chunks_reserved_) -
                     static_cast<std::int64_t>(p.free_chunks()) + p.upstream_in_use_;
  st.blocks = p.blocks_;
  st.block_bytes = p.block_bytes_;
  st.chunks_reserved = p.chunks_reserved_;
  return st;
}

Chunk PoolSet::allocate_slow(std::size_t bytes, ClassPool* pool) {
  if (pool == nullptr) return allocate_upstream(bytes);
  if (pool->has_free_chunk()) return {pool->take_free_chunk(), pool->chunk_bytes()};
  return allocate_growing(*pool);
}

Chunk PoolSet::allocate_growing(ClassPool& pool) {
  void* ptr = pool.malloc();  // takes a new block from upstream, or returns null
  if (ptr == nullptr) return {};
  const std::size_t block = pool.list.total_size();  // the block just added
  ++pool.allocations_;
  ++pool.misses_;
  ++pool.blocks_;
  pool.block_bytes_ += block;
  // boost::pool reserves a pointer and a size at the end of each block.
  pool.chunks_reserved_ += (block - 2 * sizeof(void*)) / pool.chunk_bytes();
  return {ptr, pool.chunk_bytes()};
}

Chunk PoolSet::allocate_upstream(std::size_t bytes) {
  char* ptr = Upstream::malloc(std::max<std::size_t>(bytes, 1));
  if (ptr == nullptr) return {};
  const SizeClass c = SizeClasses::of(bytes);
  if (c == SizeClasses::kLargeClass) {
    ++large_.allocations;
    ++large_.in_use;
    large_.bytes_in_use += static_cast<std::int64_t>(bytes);
  } else {  // pass-through: counted in the class it would have used
    ClassPool& pool = pools_[c];
    ++pool.allocations_;
    ++pool.misses_;
    ++pool.upstream_in_use_;
  }
  return {ptr, held_for(bytes)};
}

void PoolSet::deallocate_upstream(void* ptr, std::size_t bytes) {
  const SizeClass c = SizeClasses::of(bytes);
  if (c == SizeClasses::kLargeClass) {
    --large_.in_use;
    large_.bytes_in_use -= static_cast<std::int64_t>(bytes);
  } else {
    --pools_[c].upstream_in_use_;
  }
  Upstream::free(static_cast<char*>(ptr));
}

std::size_t PoolSet::ClassPool::take_surplus_from(ClassPool& donor, std::size_t wanted) {
  std::size_t moved = 0;
  while (moved < wanted && donor.has_free_chunk()) {
    (store().free)((donor.store().malloc)());
    ++moved;
  }
  transferred_ += static_cast<std::int64_t>(moved);
  donor.transferred_ -= static_cast<std::int64_t>(moved);
  return moved;
}

void rebalance_pools(PoolSet* const* sets, std::size_t count) {
  if (count < 2) return;
  for (std::size_t c = 0; c < SizeClasses::kCount; ++c) {
    const auto cls = static_cast<SizeClass>(c);
    std::size_t total = 0;
    for (std::size_t s = 0; s < count; ++s)
      total += sets[s]->class_pool(cls).free_count();
    const std::size_t share = total / count;
    // Sets below their share take from sets above it, in set order (deterministic).
    for (std::size_t r = 0; r < count; ++r) {
      PoolSet::ClassPool& receiver = sets[r]->class_pool(cls);
      for (std::size_t d = 0; d < count && receiver.free_count() < share; ++d) {
        PoolSet::ClassPool& donor = sets[d]->class_pool(cls);
        if (d == r || donor.free_count() <= share) continue;
        receiver.take_surplus_from(
            donor, std::min(share - receiver.free_count(), donor.free_count() - share));
      }
    }
  }
}

}  // namespace cohort::memory
