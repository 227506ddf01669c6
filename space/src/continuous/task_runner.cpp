#include "cohort/space/continuous/task_runner.hpp"

#include "cohort/engine/world.hpp"

namespace cohort::space {

TaskRunner TaskRunner::of(engine::World& world) {
  return {[&world](std::size_t tasks, const TaskFn& fn) { world.run_tasks(tasks, fn); },
          world.threads()};
}

}  // namespace cohort::space
