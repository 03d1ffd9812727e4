#!/usr/bin/env bash
# Configures and builds upcamp. Used by demo.sh and test.sh; safe to run repeatedly.
#   scripts/build.sh [release|asan] [extra cmake target...]
# release -> build/        (RelWithDebInfo, -O3, warnings are errors)
# asan    -> build-asan/   (ASan + UBSan, -O1)
set -euo pipefail
cd "$(dirname "$0")/.."
flavor="${1:-release}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"
case "$flavor" in
  release)
    dir=build
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUPCAMP_WERROR=ON >/dev/null
    ;;
  asan)
    dir=build-asan
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
      -DUPCAMP_SANITIZE=ON -DUPCAMP_WERROR=ON -DUPCAMP_BUILD_BENCH=OFF >/dev/null
    ;;
  *) echo "build.sh: unknown flavor '$flavor' (release|asan)" >&2; exit 2 ;;
esac
cmake --build "$dir" -j "$jobs" ${1:+--target "$@"}
