#!/usr/bin/env bash
# Distributed runs end to end: `mpirun -np R cohort run` gives metrics.csv and summary.json
# byte-identical to the plain run for R = 1, 2, 3; checkpoints are the same bytes on any rank
# count and resume on any other; a model without a space is refused.
# Usage: mpi_runs.sh COHORT CASE
#   (CASE: lj_melt | lj_melt_automatic | resume | resume_automatic | interrupted | refused |
#    flocking | flocking_resume | checkpoint_bytes | damaged | unwritable)
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
      # The timeline's per-rank columns: rank r-1's resident bytes, and the maximum over ranks.
      last="rank$((r - 1))"
      head -n 1 "$work/np$r/timeline.csv" |
        grep -q "$last:rss,$last:accounted_used,$last:accounted_held" ||
        fail "timeline.csv lacks rank $((r - 1))'s columns"
      # Rank 0 judges every rank's memory: run.json has the last rank's leak verdicts.
      python3 -c "import json, sys; l = json.load(open(sys.argv[1]))['monitor']['leak']['ranks']
sys.exit(not ('$last:rss' in l and '$last:accounted_used' in l and l['$last:rss']['verdict']))" \
        "$work/np$r/run.json" || fail "run.json lacks rank $((r - 1))'s leak verdicts"
      awk -F, -v col="ranks:rss_max" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
        NR == 2 { exit !($c > 1000000) }' "$work/np$r/timeline.csv" ||
        fail "timeline.csv's ranks:rss_max is not a resident size"
    fi
  done
  echo "identical on 1, 2, 3 ranks: $(tail -n 1 "$work/plain/metrics.csv")"
}

refused_on_two_ranks() {  # config name (configs/NAME.yaml), the message expected
  set +e
  "${mpirun[@]}" -np 2 "$cohort" run "$root/configs/$1.yaml" --out "$work/$1" \
    --quiet --no-profile >"$work/$1.log" 2>&1
  local code=$?
  set -e
  [ "$code" -eq 2 ] || { cat "$work/$1.log" >&2; fail "$1: exit $code, expected 2"; }
  grep -qF "$2" "$work/$1.log" || { cat "$work/$1.log" >&2; fail "$1: no clear message"; }
  echo "refused: $(grep -m1 -F "$2" "$work/$1.log")"
}

same_outputs() {  # reference dir, dir, what
  for f in metrics.csv summary.json; do
    cmp -s "$1/$f" "$2/$f" || { diff "$1/$f" "$2/$f" >&2 || true; fail "$f differs: $3"; }
  done
}

# Checkpoints at step 50 of a 100-step run on 1 rank (plain build) and on 2 ranks are the same
# bytes; the 2-rank one resumed on 3 ranks and on 1, and the plain one on 2, each finish the run
# exactly as the uninterrupted run did.
resumes_on_other_ranks() {  # config, extra run arguments...
  local config=$1; shift
  local run=(run "$config" --threads 1 --quiet --no-profile "$@")
  "$cohort" "${run[@]}" --out "$work/plain" --set output.checkpoint_every=50 2>/dev/null
  "${mpirun[@]}" -np 2 "$cohort" "${run[@]}" --out "$work/np2" --set output.checkpoint_every=50 \
    2>"$work/np2.log" || { cat "$work/np2.log" >&2; fail "np 2 exited $?"; }
  cmp -s "$work/plain/checkpoint.cohort" "$work/np2/checkpoint.cohort" ||
    fail "the checkpoints of 1 and 2 ranks differ"
  same_outputs "$work/plain" "$work/np2" "uninterrupted on 2 ranks"
  "${mpirun[@]}" -np 3 "$cohort" "${run[@]}" --out "$work/np3" \
    --resume "$work/np2/checkpoint.cohort" 2>"$work/np3.log" ||
    { cat "$work/np3.log" >&2; fail "resume on 3 ranks exited $?"; }
  same_outputs "$work/plain" "$work/np3" "2-rank checkpoint resumed on 3 ranks"
  "$cohort" "${run[@]}" --out "$work/one" --resume "$work/np2/checkpoint.cohort" 2>/dev/null
  same_outputs "$work/plain" "$work/one" "2-rank checkpoint resumed on 1 rank"
  "${mpirun[@]}" -np 2 "$cohort" "${run[@]}" --out "$work/two" \
    --resume "$work/plain/checkpoint.cohort" 2>"$work/two.log" ||
    { cat "$work/two.log" >&2; fail "resume on 2 ranks exited $?"; }
  same_outputs "$work/plain" "$work/two" "1-rank checkpoint resumed on 2 ranks"
  for d in np3 one two; do  # each ran the last 50 steps only
    grep -q '"steps_this_process": 50,' "$work/$d/run.json" || fail "$d did not resume at step 50"
  done
  echo "checkpoint at step 50 resumed on 3, 1 and 2 ranks: $(tail -n 1 "$work/plain/metrics.csv")"
}

# A 2-rank run that must fail with exit 4 (within two minutes: no rank left waiting) and give
# `message` on each rank's stderr.
fails_on_every_rank() {  # log name, message, run arguments...
  local name=$1 log=$work/$1.log message=$2; shift 2
  set +e
  timeout 120 "${mpirun[@]}" --tag-output -np 2 "$cohort" "$@" >"$log" 2>&1
  local code=$?
  set -e
  [ "$code" -eq 4 ] || { cat "$log" >&2; fail "$name: exit $code, expected 4"; }
  for r in 0 1; do
    grep -qE "^\[[0-9]+,$r\]<stderr>:.*$message" "$log" ||
      { cat "$log" >&2; fail "$name: rank $r does not say '$message'"; }
  done
  echo "$name: exit 4 on both ranks: $(grep -m1 -oE "error .*$message" "$log")"
}

case $case in
  lj_melt)  # LAMMPS' benchmark, 32,000 atoms, 100 steps: every 20 steps a migration and halo
    identical_on_ranks "$root/configs/lj_melt.yaml" --set output.every=10
    grep -q '^100,0.7574531' "$work/plain/metrics.csv" || fail "step 100 is not LAMMPS' row" ;;
  lj_melt_automatic)  # 4,000 atoms melting at T = 3, lists rebuilt on displacement (a max over ranks)
    identical_on_ranks "$root/configs/lj_melt_example.yaml" --steps 100 \
      --set space.rebuild=automatic --set output.every=10 ;;
  resume)  # the benchmark's lists are 10 steps old at the checkpoint (rebuilt every 20)
    resumes_on_other_ranks "$root/configs/lj_melt.yaml" --set output.every=10 ;;
  resume_automatic)  # lists rebuilt on displacement: the reference positions travel too
    resumes_on_other_ranks "$root/configs/lj_melt_example.yaml" --steps 100 \
      --set space.rebuild=automatic --set output.every=10 ;;
  interrupted)  # SIGINT to one rank: both stop at the same step, rank 0 checkpoints, exit 5
    run=(run "$root/configs/lj_melt_example.yaml" --threads 1 --quiet --no-profile
         --set output.every=100)
    "$cohort" "${run[@]}" --steps 1000 --out "$work/plain" 2>/dev/null
    "${mpirun[@]}" -np 2 "$cohort" "${run[@]}" --steps 1000000 --out "$work/sig" \
      2>"$work/sig.log" &
    launcher=$!
    for _ in $(seq 600); do  # until step 200 is written: the ranks are stepping
      [ "$(cat "$work/sig/metrics.csv" 2>/dev/null | wc -l)" -gt 3 ] && break
      sleep 0.05
    done
    rank=$(pgrep -n -f -- "--out $work/sig") || fail "no rank process to signal"
    kill -INT "$rank"
    set +e
    wait "$launcher"
    code=$?
    set -e
    [ "$code" -eq 5 ] || { cat "$work/sig.log" >&2; fail "exit $code after SIGINT, expected 5"; }
    grep -q '"status": "interrupted"' "$work/sig/run.json" || fail "run.json is not interrupted"
    "${mpirun[@]}" -np 3 "$cohort" "${run[@]}" --steps 1000 --out "$work/resumed" \
      --resume "$work/sig/checkpoint.cohort" 2>"$work/resumed.log" ||
      { cat "$work/resumed.log" >&2; fail "resume on 3 ranks exited $?"; }
    same_outputs "$work/plain" "$work/resumed" "interrupted on 2 ranks, resumed on 3"
    echo "interrupted at $(grep -o '"step": [0-9]*' "$work/sig/run.json" | tr -d '"'), resumed on 3 ranks:" \
      "$(tail -n 1 "$work/plain/metrics.csv")" ;;
  flocking)  # the simultaneous schedule: 400 birds, migration and a halo of velocities each step
    identical_on_ranks "$root/configs/flocking_distributed.yaml" --set output.every=10 ;;
  flocking_resume)
    resumes_on_other_ranks "$root/configs/flocking_distributed.yaml" --set output.every=10 ;;
  refused)  # the quick-start model has no decomposed space: a clear error on more than one rank
    refused_on_two_ranks quickstart "does not decompose a space: run it on one rank"
    # Flocking's canonical random schedule is one global order: refused at its key.
    refused_on_two_ranks flocking_small \
      "parameters.schedule: expected simultaneous on 2 ranks" ;;
  checkpoint_bytes)  # rank 0 streams the gathered agents column by column: the same file as the
    # in-memory gather wrote (this SHA-256), on 1, 2 and 3 ranks. (Re-pinned when lj_melt gained
    # parameters.pair_kernel: the file differed from the in-memory gather's only in its config
    # hash and CRC, 12 bytes; and when lj_melt's atoms lost their force column, which the model
    # now recomputes at load from the positions, and their per-agent ledger.)
    pinned=39a314e809abff7c8b9a11a8aea16c62b60231f29ecfef039e78fc6a11746678
    run=(run "$root/configs/lj_melt.yaml" --steps 60 --set output.checkpoint_every=50
         --threads 1 --quiet --no-profile)
    "$cohort" "${run[@]}" --out "$work/plain" 2>/dev/null
    [ "$(sha256sum <"$work/plain/checkpoint.cohort" | cut -d' ' -f1)" = "$pinned" ] ||
      fail "the plain run's checkpoint is not the pinned bytes"
    for r in 1 2 3; do
      "${mpirun[@]}" -np "$r" "$cohort" "${run[@]}" --out "$work/np$r" 2>"$work/np$r.log" ||
        { cat "$work/np$r.log" >&2; fail "np $r exited $?"; }
      [ "$(sha256sum <"$work/np$r/checkpoint.cohort" | cut -d' ' -f1)" = "$pinned" ] ||
        fail "the checkpoint of $r ranks is not the pinned bytes"
    done
    echo "checkpoint at step 50 is the pinned bytes on 1, 2, 3 ranks" ;;
  damaged)  # every rank reads the checkpoint itself: a damaged one is refused on every rank
    run=(run "$root/configs/flocking_distributed.yaml" --threads 1 --quiet --no-profile
         --set output.every=10)
    "${mpirun[@]}" -np 2 "$cohort" "${run[@]}" --out "$work/np2" --set output.checkpoint_every=50 \
      2>"$work/np2.log" || { cat "$work/np2.log" >&2; fail "np 2 exited $?"; }
    python3 -c "import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[200] ^= 0x40
open(p, 'wb').write(b)" "$work/np2/checkpoint.cohort"
    fails_on_every_rank damaged "checkpoint.cohort is corrupt: its checksum does not match" \
      "${run[@]}" --out "$work/resumed" --resume "$work/np2/checkpoint.cohort" ;;
  unwritable)  # rank 0 cannot put the checkpoint in place: every rank fails at the commit
    mkdir -p "$work/out/checkpoint.cohort/in the way"
    fails_on_every_rank unwritable "cannot write $work/out/checkpoint.cohort: rename failed" \
      run "$root/configs/flocking_distributed.yaml" --threads 1 --quiet --no-profile \
      --set output.checkpoint_every=50 --out "$work/out"
    if ls "$work/out" | grep -q '\.tmp\.'; then fail "a temporary checkpoint was left"; fi ;;
  *) fail "unknown case $case" ;;
esac
