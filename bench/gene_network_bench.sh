#!/usr/bin/env bash
# End-to-end gene_network benchmarks: the issue's three sizes on configs/gene_network.yaml (and the
# evolving config at the first size), each run `repeats` times on 2 threads. Prints the best
# simulation wall time (run.json's wall_seconds: the generation loop, metrics included), the
# whole process's peak RSS (/usr/bin/time), gene-updates per second (individuals x genes x
# generations / wall) and the command line.
#
#   bench/gene_network_bench.sh [build dir, default build/release] [repeats, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
repeats=${2:-5}
cohort="$build/cli/cohort"
[ -x "$cohort" ] || { echo "no $cohort: build first (scripts/build.sh release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# name, config, individuals, generations, targets (wall seconds, peak RSS MiB; 0 = none)
cases=(
  "parity_5k      configs/gene_network.yaml          5000     100  0.080  24"
  "evolving_5k    configs/gene_network_evolving.yaml 5000     100  0      0"
  "parity_10k     configs/gene_network.yaml          10000    1000 1.5    0"
  "parity_1m      configs/gene_network.yaml          1000000  10   0      1024"
)

printf '%-12s %12s %10s %14s  %s\n' case "wall s" "peak MiB" "gene-upd/s" command
for c in "${cases[@]}"; do
  read -r name config n steps wall_target rss_target <<<"$c"
  args=(run "$config" --threads 2 --quiet --steps "$steps" --out "$out/$name"
        --set "populations.individuals.size=$n")
  best_wall=""
  best_rss=""
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f '%M' -o "$out/rss" "$cohort" "${args[@]}" 2>/dev/null
    wall=$(sed -n 's/.*"wall_seconds": \([0-9.e+-]*\).*/\1/p' "$out/$name/run.json")
    rss=$(cat "$out/rss")
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; fi
    if [ -z "$best_rss" ] || [ "$rss" -lt "$best_rss" ]; then best_rss=$rss; fi
  done
  genes=100
  rate=$(awk "BEGIN{printf \"%.3g\", $n * $genes * $steps / $best_wall}")
  mib=$(awk "BEGIN{printf \"%.1f\", $best_rss / 1024}")
  verdict=""
  if [ "$wall_target" != 0 ]; then
    verdict+=$(awk "BEGIN{print ($best_wall <= $wall_target) ? \" wall ok\" : \" WALL OVER $wall_target s\"}")
  fi
  if [ "$rss_target" != 0 ]; then
    verdict+=$(awk "BEGIN{print ($mib <= $rss_target) ? \" rss ok\" : \" RSS OVER $rss_target MiB\"}")
  fi
  printf '%-12s %12.4f %10s %14s  %s%s\n' "$name" "$best_wall" "$mib" "$rate" \
    "cohort ${args[*]}" "${verdict:+  ->$verdict}"
done
