// A validated config copied with the Nth allocation failing, for every N: the copy throws
// std::bad_alloc and leaves nothing half-built, or completes equal to its source. Before
// ConfigValue had its own copy constructor, libstdc++ 12 crashed here (it destroyed a variant
// whose string alternative had failed to copy as if it held one).
#include <doctest/doctest.h>

#include <cstdint>
#include <new>
#include <string>

#include "cohort/engine/config_value.hpp"
#include "failing_new.hpp"
#include "sweep_support.hpp"

namespace {

using cohort::engine::ConfigValue;
using cohort::testing::FailingNew;
using cohort::testing::TempDir;

// Copies `source` (into a new value, or over `target`) with allocation `fail_at` failing;
// returns whether the copy completed, and checks what each outcome must leave.
bool copy_failing_at(const ConfigValue& source, ConfigValue& target, bool assign,
                     std::uint64_t fail_at) {
  const std::string before = target.to_yaml();
  const std::string expected = source.to_yaml();
  bool completed = false;
  {
    FailingNew armed(fail_at);
    try {
      if (assign) {
        target = source;
      } else {
        ConfigValue copy(source);
        FailingNew::Pause pause;
        CHECK(copy.to_yaml() == expected);
      }
      completed = true;
    } catch (const std::bad_alloc&) {
    }
  }
  CHECK(source.to_yaml() == expected);
  if (assign) CHECK(target.to_yaml() == (completed ? expected : before));
  return completed;
}

}  // namespace

TEST_CASE("copying a validated config fails cleanly at every allocation") {
  TempDir dir("config_copy_sweep");
  for (const sweep::ModelRun& model : sweep::short_runs()) {
    CAPTURE(model.model);
    const ConfigValue source = sweep::settings_of(model, dir).root;
    for (const bool assign : {false, true}) {
      CAPTURE(assign);
      ConfigValue target;
      REQUIRE(copy_failing_at(source, target, assign, 0));
      target = ConfigValue();
      std::uint64_t n = 1;
      while (!copy_failing_at(source, target, assign, n))
        ++n;
      // Every allocation of the copy was made to fail once before one completed.
      CHECK(n > 10);
    }
  }
}
