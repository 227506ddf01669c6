#!/usr/bin/env bash
# Population-scale study of every model: `cohort bench` on each model's first config in configs/,
# scaling its first population, then a summary table of the fitted exponents (time per step ∝ N^a,
# peak RSS ∝ N^b, 95% confidence intervals). Each model's CSV, JSON and PNG stay in OUT/<model>/.
#
#   bench/population_scaling.sh [build dir, default build/release] [out dir, default out/scaling]
#   environment: SIZES (default 2000,4000,8000,16000), REPEAT (3), STEPS (50), THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
out=${2:-out/scaling}
sizes=${SIZES:-2000,4000,8000,16000}
repeat=${REPEAT:-3}
steps=${STEPS:-50}
threads=${THREADS:-2}
cohort="$build/cli/cohort"
[ -x "$cohort" ] || { echo "no $cohort: build first (scripts/build.sh release)" >&2; exit 2; }
mkdir -p "$out"

# Models and their first population, from `cohort models` (names unindented, populations under
# "populations:" as "    NAME (default size N): ...").
mapfile -t models < <("$cohort" models | awk '
  /^[a-z]/ { model = $1; want = 0 }
  /^  populations:/ { want = 1; next }
  want && /^    [a-z]/ { print model, $1; want = 0 }')

summary="$out/summary.txt"
printf '%-16s %-14s %-36s %-36s %s\n' model population "time/step exponent a [95% CI] R2" \
  "peak RSS exponent b [95% CI] R2" result >"$summary"
status=0
for entry in "${models[@]}"; do
  read -r model population <<<"$entry"
  config=$(grep -l "^model: *$model\$" configs/*.yaml | head -n 1 || true)
  if [ -z "$config" ]; then
    printf '%-16s %-14s %-36s %-36s %s\n' "$model" "$population" - - "no config in configs/" >>"$summary"
    continue
  fi
  log="$out/$model.log"
  echo "== $model ($config, populations.$population.size=$sizes, $repeat x $steps steps)" >&2
  if "$cohort" bench "$config" --scale "populations.$population.size=$sizes" --repeat "$repeat" \
      --steps "$steps" --threads "$threads" --out "$out/$model" 2>&1 | tee "$log" >&2; then
    fit() { grep -o "$1 ~ N^.*points" "$log" | sed -E 's/.*N\^([-0-9.]+) \(95% CI ([-0-9.]+)\.\.([-0-9.]+), R2 ([0-9.]+).*/\1 [\2, \3] \4/'; }
    printf '%-16s %-14s %-36s %-36s %s\n' "$model" "$population" "$(fit 'time per step')" \
      "$(fit 'peak RSS')" "$out/$model/bench.png" >>"$summary"
  else
    status=1
    printf '%-16s %-14s %-36s %-36s %s\n' "$model" "$population" - - "failed: see $log" >>"$summary"
  fi
done
echo
cat "$summary"
exit $status
