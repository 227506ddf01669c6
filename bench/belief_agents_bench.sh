#!/usr/bin/env bash
# End-to-end belief_agents benchmarks: the issue's three cases, each run `repeats` times on 2
# threads. Prints the best simulation wall time (run.json's wall_seconds: the step loop, metrics
# included), agent-steps per second (agents x steps / wall), the mean bytes per agent from
# memory.json (fixed + beliefs + history; the shared model is reported separately), bytes per
# agent by tag (summary.json), the target verdicts and the command line.
#
#   bench/belief_agents_bench.sh [build dir, default build/release] [repeats, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
repeats=${2:-3}
cohort="$build/cli/cohort"
[ -x "$cohort" ] || { echo "no $cohort: build first (scripts/build.sh release)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name, config, extra --set, agents, steps, targets (agent-steps/s, bytes per agent; 0 = none)
cases=(
  "small_L1 configs/belief_agents.yaml       parameters.policy_length=1 10000  200 500000 0"
  "small_L3 configs/belief_agents.yaml       parameters.policy_length=3 10000  50  10000  0"
  "large_L1 configs/belief_agents_large.yaml parameters.policy_length=1 100000 100 50000  8192"
)

printf '%-9s %10s %14s %12s %10s %10s  %s\n' case "wall s" "agent-steps/s" "B/agent" \
  "beliefs" "history" command
for c in "${cases[@]}"; do
  read -r name config set n steps rate_target bytes_target <<<"$c"
  args=(run "$config" --threads 2 --quiet --steps "$steps" --out "$out/$name" --set "$set")
  best_wall=""
  for _ in $(seq "$repeats"); do
    "$cohort" "${args[@]}" 2>/dev/null
    wall=$(sed -n 's/.*"wall_seconds": \([0-9.e+-]*\).*/\1/p' "$out/$name/run.json")
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; fi
  done
  read -r per_agent beliefs history < <(python3 - "$out/$name" <<'PY'
import json, sys
d = sys.argv[1]
mem = json.load(open(d + "/memory.json"))["populations"][0]
tags = json.load(open(d + "/summary.json"))["populations"][0]["agent_bytes_by_tag"]
n = mem["agents"]
print(f'{mem["bytes_per_agent"]:.0f} {tags.get("beliefs", 0) / n:.0f} {tags.get("history", 0) / n:.0f}')
PY
)
  rate=$(awk "BEGIN{printf \"%.0f\", $n * $steps / $best_wall}")
  verdict=$(awk "BEGIN{print ($rate >= $rate_target) ? \" rate ok\" : \" RATE UNDER $rate_target\"}")
  if [ "$bytes_target" != 0 ]; then
    verdict+=$(awk "BEGIN{print ($per_agent <= $bytes_target) ? \" bytes ok\" : \" BYTES OVER $bytes_target\"}")
  fi
  printf '%-9s %10.3f %14s %12s %10s %10s  %s  ->%s\n' "$name" "$best_wall" "$rate" "$per_agent" \
    "$beliefs" "$history" "cohort ${args[*]}" "$verdict"
done
