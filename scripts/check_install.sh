#!/usr/bin/env bash
# Installs the release build into a scratch prefix and builds the examples against it with
# find_package(cohort), as a user would: examples/custom_model (the engine embedded),
# examples/plugin_model (a model loaded by the installed `cohort` with --plugin) and
# examples/own_cli (a complete cohort command line with a model of its own). Runs each.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=$PWD/build/install
rm -rf "$prefix" build/example build/example_plugin build/example_cli build/example_out
cmake --install build/release --prefix "$prefix" >/dev/null
flags="-Wall -Wextra -Wpedantic -Werror"
for example in custom_model:example plugin_model:example_plugin own_cli:example_cli; do
  src=${example%%:*}
  dir=build/${example##*:}
  cmake -S "examples/$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
  cmake --build "$dir"
done

./build/example/savers
# The installed cohort loads the plugin built against the installed headers.
"$prefix/bin/cohort" run examples/plugin_model/savings.yaml --plugin build/example_plugin/libsavings.so \
  --steps 20 --quiet --no-profile --out build/example_out/plugin
tail -n 1 build/example_out/plugin/metrics.csv
# The program of its own knows the model without a plugin, and is a whole cohort CLI.
./build/example_cli/mycohort models savings >/dev/null
./build/example_cli/mycohort run examples/plugin_model/savings.yaml --steps 20 --quiet \
  --no-profile --out build/example_out/own_cli
cmp build/example_out/plugin/metrics.csv build/example_out/own_cli/metrics.csv
echo "check_install: the plugin and the program of its own ran the same savings model identically"
