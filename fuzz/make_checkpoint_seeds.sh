#!/usr/bin/env bash
# Writes fuzz_checkpoint's seed corpus (fuzz/corpus/checkpoint/<model>): for each tiny run in
# fuzz/checkpoint_configs/, the checkpoint at step 10 without its 24-byte header (magic, version,
# size, CRC: the fuzz target adds them), after one byte naming the model (checkpoint_fuzz.cpp's
# order). Rerun after a checkpoint format change. Usage: fuzz/make_checkpoint_seeds.sh COHORT
set -euo pipefail
cohort=$1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=$root/fuzz/corpus/checkpoint
mkdir -p "$corpus"
index=0
for model in random_walk belief_agents gene_network forest_fire schelling wolf_sheep flocking \
    lj_melt; do
  "$cohort" run "$root/fuzz/checkpoint_configs/$model.yaml" --out "$work/$model" --quiet \
    --no-profile --set output.checkpoint_every=10 2>/dev/null
  { printf "\\x$(printf %02x "$index")"; tail -c +25 "$work/$model/checkpoint.cohort"; } \
    >"$corpus/$model"
  echo "$model: $(wc -c <"$corpus/$model") bytes"
  index=$((index + 1))
done
