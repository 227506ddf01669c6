#!/usr/bin/env bash
# Distributed runs end to end: `mpirun -np R cohort run` gives metrics.csv and summary.json
# byte-identical to the plain run for R = 1, 2, 3, and a model without a space is refused.
# Usage: mpi_runs.sh COHORT CASE (CASE: lj_melt | lj_melt_automatic | refused)
set -euo pipefail
cohort=$1
case=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Root in CI containers; more ranks than cores on a 2-core machine.
mpirun=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader)
export OMPI_MCA_rmaps_base_oversubscribe=1

fail() { echo "FAIL: $*" >&2; exit 1; }

identical_on_ranks() {  # config, extra run arguments...
  local config=$1; shift
  "$cohort" run "$config" --out "$work/plain" --threads 1 --quiet --no-profile "$@" 2>/dev/null
  for r in 1 2 3; do
    "${mpirun[@]}" -np "$r" "$cohort" run "$config" --out "$work/np$r" --threads 1 --quiet \
      --no-profile "$@" 2>"$work/np$r.log" || { cat "$work/np$r.log" >&2; fail "np $r exited $?"; }
    for f in metrics.csv summary.json; do
      cmp -s "$work/plain/$f" "$work/np$r/$f" ||
        { diff "$work/plain/$f" "$work/np$r/$f" >&2 || true; fail "$f differs on $r ranks"; }
    done
    # The reduced memory view: one entry per rank.
    if [ "$r" -gt 1 ]; then
      grep -q "\"count\": $r" "$work/np$r/memory.json" || fail "memory.json lacks the $r-rank view"
    fi
  done
  echo "identical on 1, 2, 3 ranks: $(tail -n 1 "$work/plain/metrics.csv")"
}

case $case in
  lj_melt)  # LAMMPS' benchmark, 32,000 atoms, 100 steps: every 20 steps a migration and halo
    identical_on_ranks "$root/configs/lj_melt.yaml" --set output.every=10
    grep -q '^100,0.7574531' "$work/plain/metrics.csv" || fail "step 100 is not LAMMPS' row" ;;
  lj_melt_automatic)  # 4,000 atoms melting at T = 3, lists rebuilt on displacement (a max over ranks)
    identical_on_ranks "$root/configs/lj_melt_example.yaml" --steps 100 \
      --set space.rebuild=automatic --set output.every=10 ;;
  refused)  # the quick-start model has no decomposed space: a clear error on more than one rank
    set +e
    "${mpirun[@]}" -np 2 "$cohort" run "$root/configs/quickstart.yaml" --out "$work/rw" \
      --quiet --no-profile >"$work/rw.log" 2>&1
    code=$?
    set -e
    [ "$code" -eq 2 ] || { cat "$work/rw.log" >&2; fail "exit $code, expected 2"; }
    grep -q "does not decompose a space: run it on one rank" "$work/rw.log" ||
      { cat "$work/rw.log" >&2; fail "no clear message"; }
    echo "refused: $(grep -m1 'does not decompose' "$work/rw.log")" ;;
  *) fail "unknown case $case" ;;
esac
