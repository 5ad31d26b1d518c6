#!/usr/bin/env bash
# Fetch every pinned dependency into .deps/ (ignored). Idempotent: each step leaves a stamp
# named after its pinned version and is skipped when the stamp is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="${HOMER_DEPS_DIR:-$ROOT/.deps}"
mkdir -p "$DEPS/stamps" "$DEPS/downloads"

DUCKDB_VERSION=1.5.5
DUCKDB_NPM="@duckdb/node-bindings-linux-x64@1.5.5-r.5"
DUCKDB_SDIST_URL="https://files.pythonhosted.org/packages/7d/19/e57151753576373c6696a12022648546cca6038e8833fda2908ee2342d9b/duckdb-1.5.5.tar.gz"
DUCKDB_SDIST_SHA256=72f33ee57ca7595b23957671a2cc7f7fe2be0ecc2d68f63abedcfcaa3a5c1238
PYARROW_VERSION=26.0.1
# HOMER's own HEP encoder (sipcapture's npm hep-js): an independent sender for the capture tests.
HEPJS_NPM="hep-js@1.0.22"
# Query.farm's Airport extension (source in ../shared/third_party/airport), pinned by its tree.
AIRPORT_COMMIT=f52b27c
AIRPORT_TREE_SHA256=ee221b227f85bc4b976a46c1f6e71f1d9d5b9640845908160694d97b40ada88f
# quack: DuckDB's own remote protocol, the comparison in bench/airport.py.
EXTENSIONS=(ducklake:ducklake sqlite:sqlite_scanner httpfs:httpfs postgres:postgres_scanner quack:quack)
APT_PACKAGES=(cmake ninja-build g++ pkg-config libgtest-dev libgmock-dev libmsgpack-cxx-dev
  libzstd-dev nlohmann-json3-dev libcpp-httplib-dev libspdlog-dev libssl-dev
  protobuf-compiler libprotobuf-dev python3-venv unzip curl libsqlite3-dev
  sngrep sip-tester tcpdump
  postgresql-15  # a private cluster for the postgres catalog tests (tests/integration/postgres_server.py)
  haproxy)  # the fleet example and its test (examples/fleet/, tests/integration/test_fleet.py)

FAILED=()
log() { printf '[bootstrap] %s\n' "$*"; }
done_already() { [[ -f "$DEPS/stamps/$1" ]]; }
stamp() { touch "$DEPS/stamps/$1"; }
fail() { FAILED+=("$1"); log "FAILED: $1"; }

step_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" \
    >/dev/null || fail "Debian packages: ${missing[*]}"
}

step_duckdb() {
  local s="duckdb-$DUCKDB_NPM-$DUCKDB_VERSION"; s="${s//[@\/]/_}"
  done_already "$s" && return 0
  log "fetching libduckdb ($DUCKDB_NPM) and duckdb.h (duckdb==$DUCKDB_VERSION sdist)"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$DUCKDB_NPM" >/dev/null) || { fail "npm $DUCKDB_NPM"; return; }
  mkdir -p "$DEPS/duckdb/lib" "$DEPS/duckdb/include"
  tar xzf "$tmp"/*.tgz -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$DEPS/duckdb/lib/"
  local sdist="$DEPS/downloads/duckdb-$DUCKDB_VERSION.tar.gz"
  if [[ ! -f "$sdist" ]] || ! echo "$DUCKDB_SDIST_SHA256  $sdist" | sha256sum -c --quiet 2>/dev/null; then
    curl -sSfL -o "$sdist" "$DUCKDB_SDIST_URL" || { fail "PyPI duckdb==$DUCKDB_VERSION sdist"; return; }
  fi
  echo "$DUCKDB_SDIST_SHA256  $sdist" | sha256sum -c --quiet || { fail "duckdb sdist checksum"; return; }
  tar xzf "$sdist" -C "$tmp" "duckdb-$DUCKDB_VERSION/external/duckdb/src/include/duckdb.h"
  cp "$tmp/duckdb-$DUCKDB_VERSION/external/duckdb/src/include/duckdb.h" "$DEPS/duckdb/include/"
  rm -rf "$tmp"
  stamp "$s"
}

step_extensions() {
  local s="extensions-$DUCKDB_VERSION-$(echo "${EXTENSIONS[*]}" | sha256sum | cut -c1-8)"
  done_already "$s" && return 0
  log "fetching DuckDB extensions $DUCKDB_VERSION from PyPI"
  local tmp; tmp="$(mktemp -d)"
  local pkgs=()
  for e in "${EXTENSIONS[@]}"; do pkgs+=("duckdb-extension-${e%%:*}==$DUCKDB_VERSION"); done
  pip download --quiet --no-deps -d "$tmp" "${pkgs[@]}" || { fail "PyPI ${pkgs[*]}"; return; }
  # Laid out as a DuckDB extension_directory so autoload finds them by name.
  local dest="$DEPS/extensions/v$DUCKDB_VERSION/linux_amd64"
  mkdir -p "$dest"
  for e in "${EXTENSIONS[@]}"; do
    local wheel_name="${e%%:*}" ext_name="${e##*:}"
    unzip -q -o -j "$tmp"/duckdb_extension_"$wheel_name"-*.whl "*/$wheel_name.duckdb_extension" -d "$tmp/x"
    mv "$tmp/x/$wheel_name.duckdb_extension" "$dest/$ext_name.duckdb_extension"
  done
  rm -rf "$tmp"
  stamp "$s"
}

step_arrow() {
  local s="arrow-pyarrow-$PYARROW_VERSION"
  done_already "$s" && return 0
  log "fetching Arrow C++ + Flight (pyarrow==$PYARROW_VERSION wheel)"
  local tmp; tmp="$(mktemp -d)"
  pip download --quiet --no-deps --only-binary :all: --python-version 3.11 --platform manylinux_2_28_x86_64 \
    -d "$tmp" "pyarrow==$PYARROW_VERSION" || { fail "PyPI pyarrow==$PYARROW_VERSION"; return; }
  rm -rf "$DEPS/arrow"; mkdir -p "$DEPS/arrow/lib"
  unzip -q "$tmp"/pyarrow-*.whl 'pyarrow/include/*' 'pyarrow/libarrow.so.*' 'pyarrow/libarrow_flight.so.*' -d "$tmp/x"
  mv "$tmp/x/pyarrow/include" "$DEPS/arrow/include"
  for lib in libarrow libarrow_flight; do
    local so; so="$(cd "$tmp/x/pyarrow" && ls $lib.so.* | head -1)"
    mv "$tmp/x/pyarrow/$so" "$DEPS/arrow/lib/"
    ln -sf "$so" "$DEPS/arrow/lib/$lib.so"
  done
  rm -rf "$tmp"
  stamp "$s"
}

step_venv() {
  local req="$ROOT/scripts/requirements-test.txt"
  local s="venv-$(sha256sum "$req" | cut -c1-16)"
  done_already "$s" && [[ -x "$DEPS/venv/bin/python" ]] && return 0
  log "creating the test virtual environment ($req)"
  python3 -m venv "$DEPS/venv" || { fail "python venv"; return; }
  "$DEPS/venv/bin/pip" install --quiet -r "$req" || { fail "PyPI test clients ($req)"; return; }
  stamp "$s"
}

# Grafana's Flight SQL client (arrow-go) built from tests/clients/grafana (pinned in its go.sum).
step_go_client() {
  local src="$ROOT/tests/clients/grafana" bin="$DEPS/bin/grafana-flightsql-client"
  local s="go-client-$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)"
  done_already "$s" && [[ -x "$bin" ]] && return 0
  local go; go="$(command -v go || echo /usr/local/go/bin/go)"
  if [[ ! -x "$go" ]]; then
    fail "Go toolchain for tests/clients/grafana (no go in PATH or /usr/local/go/bin; Go >= 1.21 needed, it fetches the go.mod toolchain)"
    return
  fi
  log "building the Grafana Flight SQL test client (tests/clients/grafana, modules pinned by go.sum)"
  mkdir -p "$DEPS/bin"
  # Modules and build cache live in .deps like every other dependency.
  (cd "$src" && GOMODCACHE="$DEPS/go/mod" GOCACHE="$DEPS/go/cache" \
    "$go" build -mod=readonly -modcacherw -trimpath -buildvcs=false -o "$bin" .) \
    || { fail "Go modules or build of tests/clients/grafana ($go)"; return; }
  rm -f "$DEPS/stamps"/go-client-*
  stamp "$s"
}

# The Arrow Flight SQL JDBC driver from Maven Central (pinned version and checksum).
step_jdbc() {
  # 19.0.0 is not on Maven Central under this artifact; 18.3.0 is the newest release there.
  local version=18.3.0
  local sha256=3f418b46c880e263558c5de669bdbede2c5d4375527ced116fb29f795b03704c
  local url="https://repo1.maven.org/maven2/org/apache/arrow/flight-sql-jdbc-driver/$version/flight-sql-jdbc-driver-$version.jar"
  local src="$ROOT/tests/clients/jdbc/JdbcCheck.java"
  local dir="$DEPS/jdbc" jar="$DEPS/jdbc/flight-sql-jdbc-driver-$version.jar"
  # Keyed by the driver's version and the program's source: an edit recompiles.
  local s="jdbc-$version-$(sha256sum "$src" | cut -c1-16)"
  done_already "$s" && [[ -f "$jar" && -f "$dir/classes/JdbcCheck.class" ]] && return 0
  if ! command -v javac >/dev/null; then
    log "installing Debian package openjdk-17-jdk-headless (java + javac for tests/clients/jdbc)"
    local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jdk-headless \
      >/dev/null || { fail "Debian package openjdk-17-jdk-headless"; return; }
  fi
  mkdir -p "$dir"
  if [[ ! -f "$jar" ]] || ! echo "$sha256  $jar" | sha256sum -c --quiet 2>/dev/null; then
    log "fetching the Arrow Flight SQL JDBC driver $version (Maven Central)"
    curl -sSfL -o "$jar.part" "$url" || { rm -f "$jar.part"; fail "Maven Central flight-sql-jdbc-driver $version"; return; }
    echo "$sha256  $jar.part" | sha256sum -c --quiet || { rm -f "$jar.part"; fail "flight-sql-jdbc-driver $version checksum"; return; }
    mv "$jar.part" "$jar"
  fi
  log "compiling tests/clients/jdbc/JdbcCheck.java against the driver"
  rm -rf "$dir/classes" && mkdir -p "$dir/classes"
  javac -nowarn -d "$dir/classes" -cp "$jar" "$src" || { fail "javac tests/clients/jdbc/JdbcCheck.java"; return; }
  rm -f "$DEPS/stamps"/jdbc-*
  stamp "$s"
}

# hep-js into .deps/node (tests/integration/hepjs_encode.js requires it from there).
step_hepjs() {
  local s="node-$HEPJS_NPM"; s="${s//[@\/]/_}"
  local pkg="$DEPS/node/node_modules/hep-js/package.json"
  done_already "$s" && [[ -f "$pkg" ]] && return 0
  command -v npm >/dev/null || { fail "npm (Node.js) for $HEPJS_NPM"; return; }
  log "installing $HEPJS_NPM into $DEPS/node (npm)"
  mkdir -p "$DEPS/node"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$DEPS/node" "$HEPJS_NPM" >/dev/null \
    || { fail "npm $HEPJS_NPM"; return; }
  rm -f "$DEPS/stamps"/node-hep-js_*
  stamp "$s"
}

# Query.farm's Airport extension, the real DuckDB client of our Flight server, built from the
# source beside the repository (scripts/build_airport.sh). Without that source the node still
# builds and most tests run; the Airport client tests fail with the reason written here.
step_airport() {
  local src; src="$(cd "$ROOT/.." && pwd)/shared/third_party/airport"
  local out="$DEPS/airport"
  mkdir -p "$out"
  if [[ ! -f "$src/src/airport_extension.cpp" ]]; then
    echo "the Airport extension's source is missing: put Query.farm's Airport (MIT, github.com/Query-farm/airport," \
      "commit $AIRPORT_COMMIT) at $src, then run scripts/bootstrap.sh" >"$out/UNAVAILABLE"
    log "NOTE: $(cat "$out/UNAVAILABLE"); the Airport client tests will fail until then"
    return 0
  fi
  # The tree's checksum pins it; with the DuckDB version and our build files it keys the build.
  local tree; tree="$(cd "$src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
  if [[ "$tree" != "$AIRPORT_TREE_SHA256" ]]; then
    echo "the Airport source at $src (checksum $tree) is not the pinned one ($AIRPORT_TREE_SHA256," \
      "commit $AIRPORT_COMMIT)" >"$out/UNAVAILABLE"
    fail "$(cat "$out/UNAVAILABLE")"
    return
  fi
  local own; own="$(cat "$ROOT/scripts/build_airport.sh" "$ROOT"/scripts/airport/* | sha256sum | cut -c1-16)"
  local s="airport-$DUCKDB_VERSION-${tree:0:16}-$own"
  done_already "$s" && [[ -f "$out/airport.duckdb_extension" ]] && rm -f "$out/UNAVAILABLE" && return 0
  log "building the Airport extension for duckdb $DUCKDB_VERSION from $src (a few minutes, once)"
  if ! "$ROOT/scripts/build_airport.sh" "$src" "$DUCKDB_VERSION" "$tree" >"$out/build.log" 2>&1; then
    echo "building the Airport extension failed: see $out/build.log" >"$out/UNAVAILABLE"
    fail "$(cat "$out/UNAVAILABLE")"
    return
  fi
  rm -f "$out/UNAVAILABLE" "$DEPS/stamps"/airport-*
  stamp "$s"
}

step_apt
step_duckdb
step_extensions
step_arrow
step_venv
step_go_client
step_jdbc
step_hepjs
step_airport

if [[ ${#FAILED[@]} -gt 0 ]]; then
  log "could not fetch:"; for f in "${FAILED[@]}"; do log "  - $f"; done
  exit 1
fi
log "dependencies ready in $DEPS"
