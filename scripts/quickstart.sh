#!/usr/bin/env bash
# Quick start, first command: install dependencies, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/build.sh release
./build/release/cli/cohort run configs/quickstart.yaml
