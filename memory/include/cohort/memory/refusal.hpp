#pragma once
// The typed results of a charge: success, budget refusal, or upstream failure.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace cohort::memory {

/// Outcome of an allocation or charge, returned on the hot path instead of throwing.
enum class ChargeStatus : std::uint8_t {
  ok,
  refused,          ///< the agent's hard budget would be crossed; see ChargeContext::last_refusal
  upstream_failed,  ///< the system allocator returned no memory
  no_agent_ledger,  ///< the population keeps no per-agent ledger (agent_ledger = false), so
                    ///< nothing can be charged to one of its agents
};

/// Everything a person needs to understand and fix a refused allocation.
struct BudgetRefusal {
  std::string account_path;  ///< e.g. "belief_agents/agent 4711"
  std::string tag;           ///< e.g. "history"
  std::uint64_t requested = 0;
  std::uint64_t in_use = 0;  ///< bytes the agent had charged when refused
  std::uint64_t limit = 0;   ///< its hard limit
  std::string remedy;
  /// The system allocator had no memory for the request (ChargeStatus::upstream_failed): no
  /// budget was crossed, and the message says the process ran out of memory.
  bool out_of_memory = false;

  /// One-paragraph message: "budget refused: belief_agents/agent 4711/history requested ...".
  std::string message() const;
};

/// Thrown at boundaries (engine step, CLI) when a refusal must stop the run.
class BudgetExceeded : public std::runtime_error {
 public:
  explicit BudgetExceeded(BudgetRefusal refusal)
      : std::runtime_error(refusal.message()), refusal_(std::move(refusal)) {}
  const BudgetRefusal& refusal() const { return refusal_; }

 private:
  BudgetRefusal refusal_;
};

}  // namespace cohort::memory
