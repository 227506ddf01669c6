#!/usr/bin/env bash
# Installs the release build into a scratch prefix and builds and runs examples/custom_model
# against it with find_package(cohort), as a user embedding the library would.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=build/install
rm -rf "$prefix" build/example
cmake --install build/release --prefix "$prefix" >/dev/null
cmake -S examples/custom_model -B build/example -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PWD/$prefix" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" >/dev/null
cmake --build build/example
./build/example/savers
