#!/usr/bin/env bash
# The classic ABM models' large cases (issue 12) scaled 1x, 10x and 100x in agents at the same
# density with `cohort bench`: every key that holds the density (grid dimensions or box, the
# initial counts, WolfSheep's population budgets) is scaled together with zipped --scale
# options. A square side grows by sqrt(10) per step (rounded to whole cells, the counts kept at
# the config's density), so the fit runs over the agents each run really created.
# Prints each model's summary rows and fitted exponents; its CSV, JSON and PNG stay in OUT/<case>/.
#
#   bench/abm_scaling.sh [build dir, default build/release] [out dir, default out/abm_scaling]
#   environment: REPEAT (5), THREADS (1), WOLF_SHEEP_FACTORS ("1 10 100"; "1 10 30" when the
#   100x run is too slow), ONLY (a case name: flocking, schelling, wolf_sheep, forest_fire)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
out=${2:-out/abm_scaling}
repeat=${REPEAT:-5}
threads=${THREADS:-1}
cohort="$build/cli/cohort"
[ -x "$cohort" ] || { echo "no $cohort: build first (scripts/build.sh release)" >&2; exit 2; }
mkdir -p "$out"

# "a,b,c" of round(base * factor^power) for each factor ("%.3f" when decimals is set).
scaled() {
  local base=$1 power=$2 decimals=${3:-}
  shift 3
  local list=""
  for f in "$@"; do
    local v
    if [ -n "$decimals" ]; then
      v=$(awk -v b="$base" -v f="$f" -v p="$power" 'BEGIN { printf "%.3f", b * f ^ p }')
    else
      v=$(awk -v b="$base" -v f="$f" -v p="$power" 'BEGIN { printf "%d", b * f ^ p + 0.5 }')
    fi
    list+="${list:+,}$v"
  done
  echo "$list"
}
# "[s,s],..." square sides base * sqrt(factor).
squares() {
  local base=$1 decimals=$2
  shift 2
  local list=""
  for s in $(scaled "$base" 0.5 "$decimals" "$@" | tr , ' '); do list+="${list:+,}[$s,$s]"; done
  echo "$list"
}
# round(per_cell * side^2) for each factor's rounded square side.
per_cell() {
  local per=$1 side=$2
  shift 2
  local list=""
  for s in $(scaled "$side" 0.5 "" "$@" | tr , ' '); do
    list+="${list:+,}$(awk -v p="$per" -v s="$s" 'BEGIN { printf "%d", p * s * s + 0.5 }')"
  done
  echo "$list"
}

bench() {
  local name=$1
  shift
  [ -z "${ONLY:-}" ] || [ "$ONLY" = "$name" ] || return 0
  echo "== $name: $cohort bench $* --repeat $repeat --threads $threads --out $out/$name" >&2
  "$cohort" bench "$@" --repeat "$repeat" --threads "$threads" --out "$out/$name" \
    2>&1 | tee "$out/$name.log" >&2
}

f=(1 10 100)
read -r -a wf <<<"${WOLF_SHEEP_FACTORS:-1 10 100}"
bench flocking configs/flocking_large.yaml \
  --scale "space.box=$(squares 150 3 "${f[@]}")" \
  --scale "populations.birds.size=$(scaled 400 1 "" "${f[@]}")"
bench schelling configs/schelling_large.yaml \
  --scale "space.dimensions=$(squares 100 "" "${f[@]}")" \
  --scale "populations.agents.size=$(per_cell 0.8 100 "${f[@]}")"
bench wolf_sheep configs/wolf_sheep_large.yaml \
  --scale "space.dimensions=$(squares 100 "" "${wf[@]}")" \
  --scale "populations.sheep.size=$(per_cell 0.1 100 "${wf[@]}")" \
  --scale "populations.wolves.size=$(per_cell 0.05 100 "${wf[@]}")" \
  --scale "populations.sheep.population_budget.hard=$(scaled 2 1 "" "${wf[@]}" | sed 's/\([0-9]*\)/\1MiB/g')" \
  --scale "populations.wolves.population_budget.hard=$(scaled 2 1 "" "${wf[@]}" | sed 's/\([0-9]*\)/\1MiB/g')"
bench forest_fire configs/forest_fire_large.yaml \
  --scale "space.dimensions=$(squares 500 "" "${f[@]}")" --agents-metric trees

# One line per scale: agents, time per step (median, min..max over the repeats), accounted
# bytes per agent, median peak RSS; then the fitted exponents. The label may hold quoted
# commas, so the numeric columns are counted from the end of bench_summary.csv's rows.
echo
printf '%-12s %10s %28s %17s %12s\n' case agents "ms/step median [min..max]" \
  "accounted B/agent" "peak RSS MiB"
for name in flocking schelling wolf_sheep forest_fire; do
  [ -f "$out/$name/bench_summary.csv" ] || continue
  tail -n +2 "$out/$name/bench_summary.csv" | awk -F, -v n="$name" '{
    printf "%-12s %10d %12.4g [%.4g..%.4g] %17.1f %12.1f\n", n, $(NF-11), 1e3 * $(NF-9),
      1e3 * $(NF-8), 1e3 * $(NF-7), $(NF-1), $(NF-5) / 1048576 }'
  grep -o "\(time per step\|peak RSS\|peak accounted bytes\).* ~ N^.*points)" "$out/$name.log" |
    sed "s/^/  $name: /" || true
done
