#!/usr/bin/env bash
# libFuzzer over tests/fuzz/*_fuzz.cc with ASan + UBSan (Debian's clang, installed if missing).
#   scripts/fuzz.sh [--seconds N] [--jobs N] [TARGET...]     (default: every target, 600 s each)
# Each target starts from its committed corpus (tests/fuzz/corpus/TARGET) and writes what it
# learns to build-fuzz/corpus/TARGET; a crash leaves its input in build-fuzz/crash-* and fails.
# Add a crash reproducer to the committed corpus once fixed: the test command replays it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${HOMER_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
seconds=600 jobs=2 targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -eq 0 ]] &&
  targets=(config airport_filters airport_actions flightsql_command http_body request_framing hep_decoder sip_parser)
if ! command -v clang++ >/dev/null || [[ -z "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ]]; then
  apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi
"$ROOT/scripts/bootstrap.sh"
if [[ ! -f "$BUILD/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOMER_NODE_DEPS_DIR="${HOMER_DEPS_DIR:-$ROOT/.deps}" -DHOMER_NODE_LIBFUZZER=ON \
    -DHOMER_NODE_SANITIZE=address,undefined >/dev/null
fi
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$ROOT/scripts/sanitizers/lsan.supp:print_suppressions=0"
status=0
run() {
  local t="$1" work="$BUILD/corpus/$1"
  mkdir -p "$work"
  ( cd "$BUILD" && "./tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
      -rss_limit_mb=4096 -artifact_prefix="$BUILD/crash-$t-" "$work" "$ROOT/tests/fuzz/corpus/$t" \
      > "$BUILD/fuzz-$t.log" 2>&1 ) || { echo "fuzz_$t FAILED: see $BUILD/fuzz-$t.log"; return 1; }
  echo "fuzz_$t: $(grep -E '^stat::number_of_executed_units' "$BUILD/fuzz-$t.log" | awk '{print $2}') executions," \
       "$(grep -oE 'cov: [0-9]+' "$BUILD/fuzz-$t.log" | tail -1), corpus $(ls "$work" | wc -l) inputs"
}
running=0
for t in "${targets[@]}"; do
  run "$t" &
  running=$((running + 1))
  if (( running >= jobs )); then wait -n || status=1; running=$((running - 1)); fi
done
while (( running > 0 )); do wait -n || status=1; running=$((running - 1)); done
exit $status
