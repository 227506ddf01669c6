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

PoolSet::PoolSet(PoolMode mode)
    : mode_(mode), pools_(make_pools(std::make_index_sequence<SizeClasses::kCount>{})) {}

PoolSet::~PoolSet() {
  for (ClassPool& pool : pools_)
    pool.purge_memory();
}

Chunk PoolSet::allocate_growing(SizeClass c) {
  ClassPool& pool = pools_[c];
  void* ptr = pool.malloc();  // takes a new block from upstream, or returns null
  if (ptr == nullptr) return {};
  PoolClassStats& st = stats_[c];
  const std::size_t block = pool.newest_block_bytes();
  ++st.allocations;
  ++st.misses;
  ++st.chunks_in_use;
  ++st.blocks;
  st.block_bytes += block;
  // boost::pool reserves a pointer and a size at the end of each block.
  st.chunks_reserved += (block - 2 * sizeof(void*)) / SizeClasses::chunk_bytes(c);
  return {ptr, SizeClasses::chunk_bytes(c)};
}

Chunk PoolSet::allocate_upstream(std::size_t bytes, SizeClass c) {
  char* ptr = Upstream::malloc(std::max<std::size_t>(bytes, 1));
  if (ptr == nullptr) return {};
  if (c == SizeClasses::kLargeClass) {
    ++large_.allocations;
    ++large_.in_use;
    large_.bytes_in_use += static_cast<std::int64_t>(bytes);
  } else {
    PoolClassStats& st = stats_[c];
    ++st.allocations;
    ++st.misses;
    ++st.chunks_in_use;
  }
  return {ptr, held_for(bytes)};
}

void PoolSet::deallocate_upstream(void* ptr, std::size_t bytes, SizeClass c) {
  if (c == SizeClasses::kLargeClass) {
    --large_.in_use;
    large_.bytes_in_use -= static_cast<std::int64_t>(bytes);
  } else {
    --stats_[c].chunks_in_use;
  }
  Upstream::free(static_cast<char*>(ptr));
}

}  // namespace cohort::memory
