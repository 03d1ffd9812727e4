#!/usr/bin/env bash
# Scaling grid of the uplift forest (docs/benchmarks.md): time vs rows, features and threads at
# 10 trees, depth 6, max_features 10, KL. Prints one key=value line per run (forest_bench's last
# line). Usage: bench/forest_scaling.sh [REPEAT]   (BUILD_DIR defaults to build)
set -euo pipefail
repeat=${1:-3}
bench=${BUILD_DIR:-build}/bench/forest_bench
run() { "$bench" --repeat "$repeat" --test-rows 5000 "$@" 2>/dev/null | tail -1; }
echo "# rows (220 features, 1 thread)"
for rows in 37500 75000 150000 300000; do run --rows "$rows"; done
echo "# features (150k rows, 1 thread)"
for cols in 55 110 220 440; do run --cols "$cols"; done
echo "# threads (150k rows, 220 features)"
for threads in 1 2; do run --threads "$threads"; done
echo "# max_features = all 220 (150k rows, 1 thread)"
run --max-features 220
