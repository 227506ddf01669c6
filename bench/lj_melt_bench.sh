#!/usr/bin/env bash
# lj_melt against LAMMPS side by side: the LJ benchmark (32,000 atoms, 100 steps) on 1 and 2
# threads (cohort) / MPI ranks (LAMMPS, plain and -sf opt kernels), and 1,000,188 atoms on 2
# threads (cohort without a stored list, as configs/lj_melt_1m.yaml runs, and with one). Prints each run and the median and range of RUNS runs, in M atom-steps/s of the
# 100 MD steps only (cohort: run.json wall_seconds, the step loop; LAMMPS: "Loop time").
# Each run also prints its whole-process CPU seconds (user + sys, setup included): on a shared
# machine the wall rate depends on the other load, the CPU time much less.
# Memory: peak RSS above the process baseline per atom (cohort: memory.json; LAMMPS: each
# rank's maximum RSS, 20 steps, less that of a 32-atom run, summed over ranks).
#
# `ranks` (an MPI build of cohort): 32,000 atoms on 2 ranks x 1 thread, 1 rank x 2 threads and
# LAMMPS on 2 ranks, interleaved run by run so the three see the same machine.
#
#   bench/lj_melt_bench.sh [build/release/cli/cohort] [RUNS=5] [what: all|32k|1m|ranks]
set -euo pipefail
cd "$(dirname "$0")/.."
cohort=${1:-build/release/cli/cohort}
runs=${2:-5}
what=${3:-all}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stats() {  # median and range of the numbers on stdin
  sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
    printf "median %.3f  range %.3f .. %.3f  (n=%d)\n", m, v[1], v[NR], NR}'
}

# LAMMPS' bench/in.lj, with the lattice size as a variable (specs/lj_melt.md, section 1).
cat > "$work/in.lj" <<'LMP'
variable        n index 20
variable        s index 100
units           lj
atom_style      atomic
lattice         fcc 0.8442
region          box block 0 ${n} 0 ${n} 0 ${n}
create_box      1 box
create_atoms    1 box
mass            1 1.0
velocity        all create 1.44 87287 loop geom
pair_style      lj/cut 2.5
pair_coeff      1 1 1.0 1.0 2.5
neighbor        0.3 bin
neigh_modify    delay 0 every 20 check no
fix             1 all nve
run             ${s}
LMP

cohort_rate() {  # threads config atoms -> "M atom-steps/s  cpu-seconds" of one run
  local out="$work/c$RANDOM"
  /usr/bin/time -f "%U %S" -o "$work/time" "$cohort" run "$2" --quiet --no-profile \
    --threads "$1" --set parameters.log_thermo=false --out "$out" > /dev/null 2>&1
  python3 -c "import json,sys; r=json.load(open('$out/run.json')); \
u,s=open('$work/time').read().split(); \
print(f'{$3 * 100 / r[\"wall_seconds\"] / 1e6:.3f} cpu {float(u)+float(s):.2f}')"
  rm -rf "$out"
}

cohort_mpi_rate() {  # ranks config atoms -> "M atom-steps/s  cpu-seconds" (rank 0's step loop)
  local out="$work/c$RANDOM"
  /usr/bin/time -f "%U %S" -o "$work/time" mpirun --allow-run-as-root --oversubscribe -np "$1" \
    "$cohort" run "$2" --quiet --no-profile --threads 1 --set parameters.log_thermo=false \
    --out "$out" > /dev/null 2>&1
  python3 -c "import json,sys; r=json.load(open('$out/run.json')); \
u,s=open('$work/time').read().split(); \
print(f'{$3 * 100 / r[\"wall_seconds\"] / 1e6:.3f} cpu {float(u)+float(s):.2f}')"
  rm -rf "$out"
}

lammps_rate() {  # ranks n extra-args -> "M atom-steps/s  cpu-seconds" of one run
  (cd "$work" && /usr/bin/time -f "%U %S" -o "$work/time" mpirun --allow-run-as-root \
     --oversubscribe -np "$1" lmp -var n "$2" $3 -in in.lj -log none -screen log.txt \
     > /dev/null 2>&1)
  awk -v cpu="$(awk '{print $1 + $2}' "$work/time")" \
    '/^Loop time of/ {printf "%.3f cpu %.2f\n", $12 * 100 / $4 / 1e6, cpu}' "$work/log.txt"
}

lammps_bytes_per_atom() {  # ranks -> peak RSS above baseline per atom, 1,000,188 atoms
  local n total=0
  for n in 2 63; do
    (cd "$work" && mpirun --allow-run-as-root --oversubscribe -np "$1" /usr/bin/time -f "%M" \
       -a -o "$work/rss$n" lmp -var n "$n" -var s 20 -in in.lj -log none -screen none \
       > /dev/null 2>&1)
  done
  awk -v base="$(awk '{s += $1} END {print s}' "$work/rss2")" \
    '{s += $1} END {printf "%.1f\n", (s - base) * 1024 / 1000188}' "$work/rss63"
  rm -f "$work/rss2" "$work/rss63"
}

if [[ $what == all || $what == 32k ]]; then
  for t in 1 2; do
    echo "cohort lj_melt 32,000 atoms, $t thread(s), M atom-steps/s:"
    for _ in $(seq "$runs"); do cohort_rate "$t" configs/lj_melt.yaml 32000; done | tee "$work/r" | tr '\n' ';'
    echo; echo -n "  rate: "; cut -d' ' -f1 < "$work/r" | stats
    echo -n "  cpu s: "; cut -d' ' -f3 < "$work/r" | stats
  done
  if command -v lmp > /dev/null; then
    for sf in "" "-sf opt"; do
      for np in 1 2; do
        echo "LAMMPS in.lj 32,000 atoms, $np rank(s) $sf, M atom-steps/s:"
        for _ in $(seq "$runs"); do lammps_rate "$np" 20 "$sf"; done | tee "$work/r" | tr '\n' ';'
        echo; echo -n "  rate: "; cut -d' ' -f1 < "$work/r" | stats
        echo -n "  cpu s: "; cut -d' ' -f3 < "$work/r" | stats
      done
    done
  fi
fi

if [[ $what == ranks ]]; then
  for _ in $(seq "$runs"); do
    echo "$(cohort_mpi_rate 2 configs/lj_melt.yaml 32000)" >> "$work/mpi"
    echo "$(cohort_rate 2 configs/lj_melt.yaml 32000)" >> "$work/threads"
    echo "$(lammps_rate 2 20 "")" >> "$work/lmp"
  done
  for f in mpi threads lmp; do
    case $f in
      mpi) echo "cohort 32,000 atoms, 2 ranks x 1 thread:" ;;
      threads) echo "cohort 32,000 atoms, 1 rank x 2 threads:" ;;
      lmp) echo "LAMMPS in.lj 32,000 atoms, 2 ranks:" ;;
    esac
    tr '\n' ';' < "$work/$f"; echo
    echo -n "  rate: "; cut -d' ' -f1 < "$work/$f" | stats
  done
  paste -d' ' <(cut -d' ' -f1 "$work/mpi") <(cut -d' ' -f1 "$work/lmp") |
    awk '{print $1 / $2}' | { echo -n "  ratio 2 ranks cohort / LAMMPS, run by run: "; stats; }
fi

if [[ $what == all || $what == 1m ]]; then
  # The config's pass without a stored list (neighbour_list: none), then the same run with the
  # half list: the same bits, less memory or more speed.
  for list in none half; do
    echo "cohort lj_melt 1,000,188 atoms, neighbour_list: $list, 2 threads, M atom-steps/s and peak RSS above baseline per atom:"
    for _ in $(seq "$runs"); do
      out="$work/m$RANDOM"
      "$cohort" run configs/lj_melt_1m.yaml --quiet --no-profile --threads 2 \
        --set parameters.log_thermo=false --set space.neighbour_list=$list --out "$out" > /dev/null 2>&1
      python3 -c "import json; r=json.load(open('$out/run.json')); m=json.load(open('$out/memory.json')); \
p=m['process']; print(f'{1000188*100/r[\"wall_seconds\"]/1e6:.3f} {(p[\"peak_rss\"]-p[\"rss_at_start\"])/1000188:.1f}')"
      rm -rf "$out"
    done | tee "$work/r"
    echo -n "rate: "; cut -d' ' -f1 < "$work/r" | stats
    echo -n "B/atom: "; cut -d' ' -f2 < "$work/r" | stats
  done
  if command -v lmp > /dev/null; then
    echo "LAMMPS in.lj 1,000,188 atoms (n = 63), 2 ranks, M atom-steps/s:"
    for _ in $(seq "$runs"); do lammps_rate 2 63 ""; done | tee "$work/r" | tr '\n' ';'
    echo; echo -n "  rate: "; cut -d' ' -f1 < "$work/r" | stats
    echo -n "  cpu s: "; cut -d' ' -f3 < "$work/r" | stats
    for np in 1 2; do
      echo "LAMMPS 1,000,188 atoms, $np rank(s), peak RSS above baseline per atom: $(lammps_bytes_per_atom $np)"
    done
  fi
fi
