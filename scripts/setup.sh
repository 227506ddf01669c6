#!/usr/bin/env bash
# Installs everything cohort needs to build, test and benchmark, from Debian 12 packages only.
# Idempotent: packages already installed are skipped, so a second run costs a few dpkg queries.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config time
  libboost-dev libeigen3-dev libspdlog-dev doctest-dev libyaml-cpp-dev libcli11-dev
  nlohmann-json3-dev librandom123-dev libzstd-dev liblz4-dev zlib1g-dev libbenchmark-dev
  gnuplot-nox
  libopenmpi-dev openmpi-bin
  clang-14 libfuzzer-14-dev
  python3-dev python3-pybind11 python3-numpy python3-pandas python3-pytest
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
