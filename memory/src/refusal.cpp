#include "cohort/memory/refusal.hpp"

namespace cohort::memory {

std::string BudgetRefusal::message() const {
  if (out_of_memory)
    return "out of memory: the system allocator could not provide " + std::to_string(requested) +
           " bytes for " + account_path + "/" + tag +
           " (this is not a budget refusal). Remedy: " + remedy + ".";
  return "memory budget refused: " + account_path + "/" + tag + " requested " +
         std::to_string(requested) + " bytes with " + std::to_string(in_use) +
         " bytes in use, over its hard limit of " + std::to_string(limit) +
         " bytes. Remedy: " + remedy + ".";
}

}  // namespace cohort::memory
