// The failing operator new of the allocation sweep (see failing_new.hpp). Replaces every
// throwing and nothrow form, plain and aligned, so no allocation escapes the count; memory comes
// from malloc so ASan still tracks every block and reports leaks.
#include "failing_new.hpp"

#include <cstdlib>
#include <new>

namespace {

// Per thread, trivially initialised: safe to read from operator new before main and on threads
// the sweep never arms.
thread_local bool t_armed = false;
thread_local std::uint64_t t_count = 0;
thread_local std::uint64_t t_fail_at = 0;
thread_local bool t_failed = false;

// Whether this allocation is the one to fail.
bool should_fail() {
  if (!t_armed) return false;
  ++t_count;
  if (t_count != t_fail_at) return false;
  t_failed = true;
  return true;
}

void* allocate(std::size_t bytes) {
  if (should_fail()) return nullptr;
  return std::malloc(bytes == 0 ? 1 : bytes);
}

void* allocate_aligned(std::size_t bytes, std::align_val_t align) {
  if (should_fail()) return nullptr;
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = ((bytes == 0 ? 1 : bytes) + a - 1) / a * a;  // aligned_alloc's rule
  return std::aligned_alloc(a, rounded);
}

}  // namespace

namespace cohort::testing {

FailingNew::FailingNew(std::uint64_t fail_at) {
  t_count = 0;
  t_fail_at = fail_at;
  t_failed = false;
  t_armed = true;
}

FailingNew::~FailingNew() {
  t_armed = false;
}

std::uint64_t FailingNew::count() {
  return t_count;
}

bool FailingNew::failed() {
  return t_failed;
}

FailingNew::Pause::Pause() : was_armed_(t_armed) {
  t_armed = false;
}

FailingNew::Pause::~Pause() {
  t_armed = was_armed_;
}

}  // namespace cohort::testing

void* operator new(std::size_t bytes) {
  if (void* p = allocate(bytes)) return p;
  throw std::bad_alloc();
}

void* operator new[](std::size_t bytes) {
  if (void* p = allocate(bytes)) return p;
  throw std::bad_alloc();
}

void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate(bytes);
}

void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return allocate(bytes);
}

void* operator new(std::size_t bytes, std::align_val_t align) {
  if (void* p = allocate_aligned(bytes, align)) return p;
  throw std::bad_alloc();
}

void* operator new[](std::size_t bytes, std::align_val_t align) {
  if (void* p = allocate_aligned(bytes, align)) return p;
  throw std::bad_alloc();
}

void* operator new(std::size_t bytes, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned(bytes, align);
}

void* operator new[](std::size_t bytes, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned(bytes, align);
}

void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
