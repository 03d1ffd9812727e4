#!/usr/bin/env bash
# Everything needed to run upcamp's tests on a fresh Debian machine: installs the packages,
# builds, and runs the whole suite on the optimized build.
#   ./scripts/test.sh              optimized build (what CI runs)
#   ./scripts/test.sh --sanitize   also the ASan+UBSan build (build-asan/) and the suite on it
#   ./scripts/test.sh --no-browser skips installing headless Chromium (~120 MB); the HTML report
#                                  check (report.browser_check) then reports SKIPPED
# Chromium is installed by default: the rendered-report check is part of the suite (issue 6).
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
deps_args=(--browser)
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    --browser) ;;  # the default
    --no-browser) deps_args=() ;;
    --fast) ;;  # the default; kept so older instructions still work
    *) echo "test.sh: unknown option '$arg' (known: --sanitize --no-browser)" >&2; exit 2 ;;
  esac
done
jobs="$(nproc 2>/dev/null || echo 2)"
./scripts/install-deps.sh ${deps_args[@]+"${deps_args[@]}"}

echo "== optimized build"
./scripts/build.sh release
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "$sanitize" -eq 1 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  ./scripts/build.sh asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi
echo "test.sh: all tests passed"
