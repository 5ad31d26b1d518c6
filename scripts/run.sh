#!/usr/bin/env bash
# The embedded default: set up, build, create the demo lake if absent, serve it on 127.0.0.1.
# Extra arguments go to `homer-node demo` (for example --port 6000 or --calls 20000).
#
#   scripts/run.sh --all-in-one   a whole HOMER server instead: HEP in on UDP/TCP 9060 and HTTP 9080,
#                                 written to a lake in ./demo-capture, served on 50051/50052 (127.0.0.1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${HOMER_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
if [[ "${1:-}" != "--all-in-one" ]]; then
  exec "$BUILD/homer-node" demo --dir "$ROOT/demo" "$@"
fi

DIR="$ROOT/demo-capture"
mkdir -p "$DIR"
cat > "$DIR/homer-writer.json" <<JSON
{
  "ingest": {
    "enable": true,
    "udp": { "host": "127.0.0.1", "port": 9060 },
    "tcp": { "enable": true, "host": "127.0.0.1", "port": 9060 },
    "http": { "host": "127.0.0.1", "port": 9080 }
  },
  "storage": {
    "enable": true,
    "ducklake": {
      "catalog_path": "$DIR/homer_lake.sqlite",
      "data_path": "$DIR/data/",
      "flush_interval_sec": 30
    }
  },
  "node": {
    "flight_server": { "host": "127.0.0.1", "port": 50051 },
    "flightsql_server": { "enable": true, "host": "127.0.0.1", "port": 50055, "auth_token": "demo-token" }
  }
}
JSON
cat <<TXT
All-in-one HOMER server (config $DIR/homer-writer.json).
Send it HEP, for example:
  $BUILD/bench/hep_sender --port 9060 --rate 200 --seconds 30            # synthetic SIP calls
  sngrep -N -q -I calls.pcap -H udp:127.0.0.1:9060                         # a pcap (needs 'set eep.send on')
Then search:
  curl -s http://127.0.0.1:50052/api/v4/node/stats | python3 -m json.tool   # "capture": received, dropped, buffered
  curl -s -X POST http://127.0.0.1:50052/api/v4/node/query \\
    -d '{"sql": "SELECT timestamp, method, caller, callee FROM homer_lake.main.hep_proto_1_call ORDER BY timestamp DESC LIMIT 10"}'
Stop with Ctrl-C (every buffered row is flushed to the lake first).

TXT
exec "$BUILD/homer-node" --config "$DIR/homer-writer.json"
