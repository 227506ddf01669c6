#!/usr/bin/env bash
# ThreadSanitizer: builds the tsan flavour (scripts/build.sh tsan) and runs the suites whose
# tests use worker threads: the memory layer's thread tests, the engine, gene_network, the belief
# agents and the monitor. Any report of a data race fails the run (halt_on_error).
# Usage: scripts/tsan.sh [ctest args...], e.g. scripts/tsan.sh -R gene_network
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh tsan
# second_deadlock_stack: both stacks in a lock-order report. The end-to-end CLI suites run the
# TSan-built binary too, but slowly; they are left to the ASan run.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir build/tsan --output-on-failure -j "$(nproc)" -LE cli "$@"
