#pragma once
// Appending to a vector whose room was made beforehand, on the paths that run once per birth.

#include <cassert>
#include <vector>

namespace cohort::memory {

/// v.push_back(value) for a vector that has room (size() < capacity(): the caller reserved).
/// Saying so lets the compiler drop push_back's reallocation path, whose register saves and
/// spills were a third of a short append (GridOccupancy::append_row in WolfSheep).
template <class T, class Alloc, class U>
void push_with_room(std::vector<T, Alloc>& v, U&& value) {
  assert(v.size() < v.capacity());
  if (v.size() == v.capacity()) __builtin_unreachable();
  v.push_back(static_cast<U&&>(value));
}

}  // namespace cohort::memory
