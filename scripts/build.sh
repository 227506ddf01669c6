#!/usr/bin/env bash
# Configures and builds one flavour of cohort. Usage: scripts/build.sh FLAVOUR [cmake args...]
# release: optimised, tests, benchmarks and the Python module (build/release/python); asan:
# ASan+UBSan, pass-through pools, tests only; tsan: ThreadSanitizer, tests only (scripts/tsan.sh);
# fuzz: the libFuzzer targets with ASan+UBSan, built by clang (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
shift || true
jobs=$(nproc)
sanitized_flags="-O1 -g1 -DNDEBUG"
case "$flavour" in
  release)
    # The Python module is built for Debian's python3, where setup.sh installed pandas and pytest.
    args=(-DCMAKE_BUILD_TYPE=Release -DCOHORT_BUILD_BENCH=ON -DCOHORT_BUILD_PYTHON=ON
          -DPython3_EXECUTABLE=/usr/bin/python3) ;;
  asan)
    # Pass-through pools so the sanitizer sees every chunk as its own allocation. -O1 -g1 (line
    # tables, enough for sanitizer stack traces) compiles in 42% of -O2 -g's time (program.cpp:
    # 29 s vs 70 s), which keeps CI within its 30 minutes.
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=${sanitized_flags}"
          -DCOHORT_SANITIZE=ON -DCOHORT_MEMORY_PASSTHROUGH=ON -DCOHORT_BUILD_BENCH=OFF) ;;
  tsan)
    # ThreadSanitizer: the test suites only, pass-through pools so TSan sees each allocation.
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOHORT_SANITIZE_THREAD=ON
          -DCOHORT_MEMORY_PASSTHROUGH=ON -DCOHORT_BUILD_BENCH=OFF) ;;
  fuzz)
    # libFuzzer targets (fuzz/) with ASan+UBSan; clang only, no tests, CLI or benchmarks.
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=${sanitized_flags}"
          -DCMAKE_CXX_COMPILER=clang++-14 -DCOHORT_FUZZ=ON
          -DCOHORT_SANITIZE=ON -DCOHORT_MEMORY_PASSTHROUGH=ON -DCOHORT_BUILD_TESTS=OFF
          -DCOHORT_BUILD_BENCH=OFF -DCOHORT_BUILD_CLI=OFF) ;;
  *)
    echo "usage: scripts/build.sh release|asan|tsan|fuzz [cmake args...]" >&2; exit 2 ;;
esac

cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" "$@" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
