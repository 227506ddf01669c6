#pragma once
// The message of the CheckpointError a call throws, for tests of checkpoint refusals.

#include <string>

#include "cohort/engine/checkpoint_io.hpp"

namespace cohort::testing {

/// The message of the CheckpointError `fn` throws, or "no error".
template <class Fn>
std::string checkpoint_error(Fn&& fn) {
  try {
    fn();
  } catch (const engine::CheckpointError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace cohort::testing
