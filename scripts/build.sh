#!/usr/bin/env bash
# Configure (once per build folder) and build with CMake + Ninja. Jobs default to the core count.
# HOMER_SANITIZE=asan|tsan builds instrumented (default folder build-asan / build-tsan).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${HOMER_SANITIZE:-}" in
  "") sanitize="" ;;
  asan) sanitize="address,undefined" ;;
  tsan) sanitize="thread" ;;
  *) echo "build.sh: HOMER_SANITIZE must be asan or tsan, not '${HOMER_SANITIZE}'" >&2; exit 2 ;;
esac
BUILD="${HOMER_BUILD_DIR:-$ROOT/build${HOMER_SANITIZE:+-$HOMER_SANITIZE}}"
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOMER_NODE_DEPS_DIR="${HOMER_DEPS_DIR:-$ROOT/.deps}" -DHOMER_NODE_SANITIZE="$sanitize" >/dev/null
fi
cmake --build "$BUILD" -j "${HOMER_BUILD_JOBS:-$(nproc)}"
