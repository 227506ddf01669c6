#!/usr/bin/env bash
# ThreadSanitizer: builds the tsan flavour (scripts/build.sh tsan) and runs every test suite
# under it, the end-to-end CLI runs included (the cohort binary is TSan-built too): 526 s for
# build and tests on an idle 2-core machine (82 s of tests), which on top of CI's ~1230 s would
# leave no margin in its 30 minutes, so CI does not run it. Any report of a data race fails the
# run (halt_on_error).
# Usage: scripts/tsan.sh [ctest args...], e.g. scripts/tsan.sh -R gene_network
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh tsan
# second_deadlock_stack: both stacks in a lock-order report.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir build/tsan --output-on-failure -j "$(nproc)" "$@"
