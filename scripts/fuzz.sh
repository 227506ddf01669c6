#!/usr/bin/env bash
# Builds the libFuzzer targets (scripts/build.sh fuzz: clang, ASan+UBSan) and runs each for a
# bounded time from its committed seed corpus (fuzz/corpus/<target>). Usage:
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
# New interesting inputs go to build/fuzz/corpus/<target>, never into the committed corpus; a
# crash leaves its input in build/fuzz/artifacts/<target>/ and fails the script. Turn each crash
# into a regression test and add its input to fuzz/corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config set profile checkpoint)

# The build's output goes to a log; on failure its tail is shown (a silent exit 1 hid a clang-only
# compile error from CI once).
mkdir -p build
if ! ./scripts/build.sh fuzz >build/fuzz-build.log 2>&1; then
  echo "fuzz: the fuzz build (clang) failed; the end of build/fuzz-build.log:" >&2
  grep -E -A12 "error:|FAILED|Error" build/fuzz-build.log | head -60 >&2 || tail -40 build/fuzz-build.log >&2
  exit 1
fi
failed=()
for t in "${targets[@]}"; do
  work=build/fuzz/corpus/$t
  artifacts=build/fuzz/artifacts/$t
  mkdir -p "$work" "$artifacts"
  echo "== fuzz_$t for ${seconds}s"
  # detect_leaks: a leak is a finding too. The corpus directory first: new inputs are saved there.
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "build/fuzz/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" 2>"build/fuzz/fuzz_$t.log"; then
    failed+=("$t")
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^Done|ERROR|SUMMARY" \
    "build/fuzz/fuzz_$t.log" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs in build/fuzz/artifacts/, logs build/fuzz/fuzz_*.log)" >&2
  exit 1
fi
echo "fuzz: no findings"
