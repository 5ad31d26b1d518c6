#!/usr/bin/env bash
# Configure (once) and build with CMake + Ninja. Jobs default to the core count.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${HOMER_BUILD_DIR:-$ROOT/build}"
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOMER_NODE_DEPS_DIR="${HOMER_DEPS_DIR:-$ROOT/.deps}" >/dev/null
fi
cmake --build "$BUILD" -j "${HOMER_BUILD_JOBS:-$(nproc)}"
