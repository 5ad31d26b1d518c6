#!/usr/bin/env bash
# Build Query.farm's Airport extension (the real DuckDB client of our Flight server) for the test
# venv's Python duckdb: scripts/build_airport.sh <airport source> <duckdb version> <source checksum>.
# Writes $DEPS/airport/airport.duckdb_extension (unsigned; load with allow_unsigned_extensions).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="${HOMER_DEPS_DIR:-$ROOT/.deps}"
SRC="$(cd "$1" && pwd)"
DUCKDB_VERSION="$2"
SOURCE_SHA256="$3"
OUT="$DEPS/airport"
SDIST="$DEPS/downloads/duckdb-$DUCKDB_VERSION.tar.gz"
MODULE="$(ls "$DEPS"/venv/lib/python3*/site-packages/_duckdb.cpython-*.so | head -1)"

# DuckDB's headers (the loadable extension compiles against them and links no DuckDB).
headers="$OUT/duckdb-$DUCKDB_VERSION"
if [[ ! -d "$headers" ]]; then
  rm -rf "$headers.part" && mkdir -p "$headers.part"
  tar xzf "$SDIST" -C "$headers.part" --strip-components=2 \
    "duckdb-$DUCKDB_VERSION/external/duckdb/src/include" "duckdb-$DUCKDB_VERSION/external/duckdb/third_party"
  mv "$headers.part" "$headers"
fi

cmake -S "$ROOT/scripts/airport" -B "$OUT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DAIRPORT_SOURCE="$SRC" -DDUCKDB_INCLUDE="$headers/duckdb/src/include" \
  -DDUCKDB_THIRD_PARTY="$headers/duckdb/third_party" -DDUCKDB_PYTHON_MODULE="$MODULE" \
  -DARROW_ROOT="$DEPS/arrow" >/dev/null
ninja -C "$OUT/build" -j 2

# DuckDB reads a 512-byte footer: 8 fields of 32 bytes (read last to first: magic "4", platform,
# DuckDB version, extension version, ABI), then a 256-byte signature (empty: unsigned).
field() { printf '%s' "$1"; head -c $((32 - ${#1})) /dev/zero; }
ext="$OUT/airport.duckdb_extension"
{
  cat "$OUT/build/airport.so"
  printf '\x00\x93\x04\x10duckdb_signature\x80\x04'  # the WebAssembly custom section DuckDB writes
  field ""; field ""; field ""; field CPP; field "src-${SOURCE_SHA256:0:12}"
  field "v$DUCKDB_VERSION"; field linux_amd64; field 4
  head -c 256 /dev/zero
} >"$ext.part"
mv "$ext.part" "$ext"
echo "built $ext"
