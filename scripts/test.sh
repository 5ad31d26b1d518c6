#!/usr/bin/env bash
# Every test: set up, build, unit tests (CTest), end-to-end tests with real clients (pytest).
#   scripts/test.sh [--sanitize asan|tsan] [--unit-only] [pytest arguments...]
# --sanitize runs the same tests against a build instrumented with AddressSanitizer +
# UndefinedBehaviorSanitizer (asan) or ThreadSanitizer (tsan), in build-asan / build-tsan, with
# the suppressions of scripts/sanitizers/ (third-party code only, each with its reason).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unit_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) export HOMER_SANITIZE="$2"; shift 2 ;;
    --unit-only) unit_only=1; shift ;;
    *) break ;;
  esac
done
export HOMER_BUILD_DIR="${HOMER_BUILD_DIR:-$ROOT/build${HOMER_SANITIZE:+-$HOMER_SANITIZE}}"
if [[ -n "${HOMER_SANITIZE:-}" ]]; then
  sup="$ROOT/scripts/sanitizers"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0"
  export LSAN_OPTIONS="suppressions=$sup/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$sup/ubsan.supp"
  # DuckDB and Arrow/gRPC come prebuilt: their malloc, free and memcpy calls reach TSan, their atomics and
  # gRPC's Abseil locks do not, so only calls from our instrumented code are checked (tsan.supp says more).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1"
  TSAN_OPTIONS+=":suppressions=$sup/tsan.supp"
fi
"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/build.sh"
echo "== unit tests (ctest${HOMER_SANITIZE:+, $HOMER_SANITIZE})"
ctest --test-dir "$HOMER_BUILD_DIR" --output-on-failure -j 2
[[ $unit_only == 1 ]] && exit 0
echo "== end-to-end tests (pytest${HOMER_SANITIZE:+, $HOMER_SANITIZE})"
cd "$ROOT"
if [[ -n "${HOMER_SANITIZE:-}" ]]; then
  # The tests send a node's output to a log file (or nowhere) and may not look at how it ended:
  # every sanitizer report goes to a file of its own (log_path, <prefix>.<pid>) and any fails the run.
  reports="$HOMER_BUILD_DIR/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do export "$v=${!v:-}:log_path=$reports/report"; done
  # ASan holds freed blocks in a quarantine (256 MB by default) to catch a late use after free; the
  # tests that bound a node's memory growth allow for it (conftest.memory_growth_bound): a smaller one.
  ASAN_OPTIONS+=":quarantine_size_mb=64"
fi
rc=0
"${HOMER_DEPS_DIR:-$ROOT/.deps}/venv/bin/python" -m pytest -p no:cacheprovider "$@" || rc=$?
if [[ -n "${HOMER_SANITIZE:-}" ]] && compgen -G "$reports/report.*" >/dev/null; then
  echo "== sanitizer reports ($reports)"
  cat "$reports"/report.*
  rc=1
fi
exit "$rc"
