#!/usr/bin/env bash
# The embedded default: set up, build, create the demo lake if absent, serve it on 127.0.0.1.
# Extra arguments go to `homer-node demo` (for example --port 6000 or --calls 20000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
exec "${HOMER_BUILD_DIR:-$ROOT/build}/homer-node" demo --dir "$ROOT/demo" "$@"
