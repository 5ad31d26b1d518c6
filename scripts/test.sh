#!/usr/bin/env bash
# Every test: set up, build, unit tests (CTest), end-to-end tests with real clients (pytest).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${HOMER_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
echo "== unit tests (ctest)"
ctest --test-dir "$BUILD" --output-on-failure -j 2
echo "== end-to-end tests (pytest)"
cd "$ROOT"
"${HOMER_DEPS_DIR:-$ROOT/.deps}/venv/bin/python" -m pytest -p no:cacheprovider "$@"
