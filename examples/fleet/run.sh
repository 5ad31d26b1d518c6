#!/usr/bin/env bash
# A homer-node fleet on this machine until Ctrl-C: PostgreSQL 15 (catalog), an S3 server (moto, data),
# two HEP writers, three nodes and HAProxy in front (README, "Scaling out"). Needs scripts/bootstrap.sh
# (the Python environment, postgresql-15, haproxy) and a build (scripts/build.sh). Options: run.sh --help
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${HOMER_DEPS_DIR:-$ROOT/.deps}/venv/bin/python"
[[ -x "$PY" ]] || { echo "run scripts/bootstrap.sh first ($PY missing)" >&2; exit 1; }
[[ -x "${HOMER_BUILD_DIR:-$ROOT/build}/homer-node" ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
exec "$PY" "$ROOT/examples/fleet/run.py" "$@"
