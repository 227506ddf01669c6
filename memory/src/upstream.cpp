#include "cohort/memory/upstream.hpp"

#include <new>

namespace cohort::memory {

namespace {
// One pointer test per upstream request (a pool block or a large chunk), never per pooled chunk.
thread_local UpstreamFaultInjector* t_injector = nullptr;
}  // namespace

char* Upstream::malloc(size_type bytes) {
  if (t_injector != nullptr && t_injector->should_fail()) return nullptr;
  return static_cast<char*>(::operator new(bytes, std::nothrow));
}

void Upstream::free(char* block) {
  ::operator delete(block);
}

UpstreamFaultInjector::UpstreamFaultInjector(std::uint64_t fail_at, std::uint64_t fail_count)
    : fail_at_(fail_at), fail_count_(fail_count), previous_(t_injector) {
  t_injector = this;
}

UpstreamFaultInjector::~UpstreamFaultInjector() {
  t_injector = previous_;
}

bool UpstreamFaultInjector::should_fail() {
  ++requests_;
  const bool fail = requests_ >= fail_at_ && requests_ < fail_at_ + fail_count_;
  failures_ += fail ? 1 : 0;
  return fail;
}

}  // namespace cohort::memory
