// Size classes and the per-thread pool set.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "cohort/memory/pool_set.hpp"
#include "cohort/memory/size_classes.hpp"

using namespace cohort::memory;

TEST_CASE("every request up to 4096 bytes maps to the smallest class that holds it") {
  for (std::size_t n = 0; n <= SizeClasses::kMaxPooledBytes; ++n) {
    const SizeClass c = SizeClasses::of(n);
    REQUIRE(c < SizeClasses::kCount);
    CHECK(SizeClasses::chunk_bytes(c) >= n);
    if (c > 0)
      CHECK(SizeClasses::chunk_bytes(static_cast<SizeClass>(c - 1)) < std::max<std::size_t>(n, 1));
  }
  CHECK(SizeClasses::of(4097) == SizeClasses::kLargeClass);
  // Rounding waste stays within the documented bounds: 15 bytes up to 256, 25% above.
  for (std::size_t n = 1; n <= SizeClasses::kMaxPooledBytes; ++n) {
    const std::size_t held = SizeClasses::held_for(n);
    if (n <= 256)
      CHECK(held - n < 16);
    else
      CHECK(static_cast<double>(held) <= 1.25 * static_cast<double>(n));
  }
}

TEST_CASE("pooled chunks are reused after free and counted per class") {
  PoolSet pools(PoolMode::pooled);
  const Chunk a = pools.allocate(24);
  REQUIRE(a.ptr != nullptr);
  CHECK(a.held == 32);
  std::memset(a.ptr, 0xab, 24);
  pools.deallocate(a.ptr, 24);
  const Chunk b = pools.allocate(30);  // same class: the freed chunk comes back
  CHECK(b.ptr == a.ptr);
  const PoolClassStats st = pools.class_stats(SizeClasses::of(24));
  CHECK(st.allocations == 2);
  CHECK(st.misses == 1);
  CHECK(st.chunks_in_use == 1);
  CHECK(st.blocks == 1);
  CHECK(st.chunks_reserved == 4096 / 32);
  CHECK(st.block_bytes == 4096 + 16);
  pools.deallocate(b.ptr, 30);
  CHECK(pools.class_stats(SizeClasses::of(24)).chunks_in_use == 0);
}

TEST_CASE("a pool grows in bounded blocks") {
  PoolSet pools(PoolMode::pooled);
  std::vector<void*> chunks;
  for (int i = 0; i < 5000; ++i)
    chunks.push_back(pools.allocate(16).ptr);
  const PoolClassStats st = pools.class_stats(0);
  CHECK(st.chunks_reserved >= 5000);
  CHECK(st.chunks_in_use == 5000);
  // 256, 512, 1024, 2048, 4096 chunks: doubling stops at 64 KiB blocks (4096 chunks of 16 B).
  CHECK(st.blocks == 5);
  CHECK(st.misses == 5);
  for (void* p : chunks)
    pools.deallocate(p, 16);
  CHECK(pools.class_stats(0).chunks_in_use == 0);
}

TEST_CASE("large requests bypass the pools and are tracked") {
  PoolSet pools(PoolMode::pooled);
  const Chunk big = pools.allocate(10000);
  REQUIRE(big.ptr != nullptr);
  CHECK(big.held == 10000);
  CHECK(pools.large_stats().in_use == 1);
  CHECK(pools.large_stats().bytes_in_use == 10000);
  pools.deallocate(big.ptr, 10000);
  CHECK(pools.large_stats().in_use == 0);
  CHECK(pools.large_stats().bytes_in_use == 0);
}

TEST_CASE("pass-through mode gives every chunk its own allocation, held == requested") {
  PoolSet pools(PoolMode::pass_through);
  const Chunk a = pools.allocate(24);
  CHECK(a.held == 24);
  CHECK(pools.held_for(24) == 24);
  pools.deallocate(a.ptr, 24);
  CHECK(pools.class_stats(SizeClasses::of(24)).chunks_in_use == 0);
  CHECK(pools.class_stats(SizeClasses::of(24)).blocks == 0);
}

TEST_CASE("pool_for resolves a size to its class's pool, or to nothing when served upstream") {
  PoolSet pooled(PoolMode::pooled);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{17},
                        std::size_t{600}, SizeClasses::kMaxPooledBytes}) {
    CAPTURE(n);
    PoolSet::ClassPool* pool = pooled.pool_for(n);
    REQUIRE(pool != nullptr);
    CHECK(pool->chunk_bytes() == SizeClasses::held_for(n));
    CHECK(pool == pooled.pool_for(SizeClasses::held_for(n)));  // one pool per class
  }
  CHECK(pooled.pool_for(SizeClasses::kMaxPooledBytes + 1) == nullptr);
  PoolSet passed(PoolMode::pass_through);
  CHECK(passed.pool_for(16) == nullptr);
}

TEST_CASE("rebalancing bounds pools when one set allocates and another frees") {
  // Thread A allocates every step, thread B frees what A allocated (agents that moved, or died
  // on the main thread). Without rebalancing A takes new blocks forever while B's free list grows.
  PoolSet a(PoolMode::pooled);
  PoolSet b(PoolMode::pooled);
  PoolSet* sets[] = {&a, &b};
  const SizeClass cls = SizeClasses::of(64);
  std::uint64_t reserved_after_warmup = 0;
  for (int step = 0; step < 200; ++step) {
    std::vector<void*> chunks;
    for (int i = 0; i < 1000; ++i)
      chunks.push_back(a.allocate(64).ptr);
    for (void* p : chunks)
      b.deallocate(p, 64);
    rebalance_pools(sets, 2);
    if (step == 10) reserved_after_warmup = a.class_stats(cls).chunks_reserved;
    CHECK(a.class_pool(cls).free_count() == a.class_pool(cls).free_chunks());
    CHECK(b.class_pool(cls).free_count() == b.class_pool(cls).free_chunks());
  }
  CHECK(a.class_stats(cls).chunks_reserved == reserved_after_warmup);  // no growth after warm-up
  CHECK(a.class_stats(cls).chunks_reserved + b.class_stats(cls).chunks_reserved < 4 * 1000);
  CHECK(a.class_stats(cls).chunks_in_use + b.class_stats(cls).chunks_in_use == 0);
}
