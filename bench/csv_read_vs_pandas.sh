#!/usr/bin/env bash
# Compares upcamp's CSV reader with pandas read_csv on one file, same column types, in one run.
#
#   bench/csv_read_vs_pandas.sh FILE [REPEAT]
#
# FILE is normally the receipts table of `upcamp synth --clients 400000` (receipts.csv).
# Runs csv_read_bench with 1 and 2 threads and bench/pandas_read_csv.py, REPEAT times each
# (default 3), and prints medians, MB/s (per core too), rows/s, CPU seconds, peak RSS and the
# speed ratios (wall time and CPU time: on a shared machine the CPU ratio is the stable one).
# BUILD_DIR selects the build holding bench/csv_read_bench (default: build).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
file=$1
repeat=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$here/../build}
bench=$build/bench/csv_read_bench
if [[ ! -x $bench ]]; then
  echo "csv_read_vs_pandas: $bench not found; build the csv_read_bench target (or set BUILD_DIR)" >&2
  exit 1
fi

if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  echo "csv_read_vs_pandas: /usr/bin/python3 cannot import pandas; install it with" \
    "scripts/install-deps.sh (or: apt-get install -y python3-pandas)" >&2
  exit 1
fi

cat "$file" > /dev/null  # same page-cache state for every tool
results=()
for threads in 1 2; do
  echo "upcamp, $threads thread(s)..." >&2
  results+=("$("$bench" "$file" --threads "$threads" --repeat "$repeat" | grep '^RESULT')")
done
echo "pandas..." >&2
results+=("$(/usr/bin/python3 "$here/pandas_read_csv.py" "$file" --repeat "$repeat" | grep '^RESULT')")

printf '%s\n' "${results[@]}" | awk -v file="$file" -v repeat="$repeat" '
  {
    for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[NR, kv[1]] = kv[2] }
    if (v[NR, "tool"] == "pandas") { pandas = v[NR, "median_s"]; pandas_cpu = v[NR, "cpu_s"] }
  }
  END {
    printf "file: %s, %d runs each (medians)\n", file, repeat
    printf "%-8s %7s %10s %8s %14s %10s %12s %13s %10s %14s\n", "tool", "threads", "median s",
           "MB/s", "MB/s per core", "Mrows/s", "CPU s", "MB per CPU s", "peak RSS MB",
           "vs pandas"
    for (r = 1; r <= NR; ++r) {
      t = v[r, "median_s"]; th = v[r, "threads"]; c = v[r, "cpu_s"]
      mb = v[r, "mb_per_s"] * t
      printf "%-8s %7d %10.3f %8.1f %14.1f %10.2f %12.3f %13.1f %10d %5.1fx (CPU %.1fx)\n",
             v[r, "tool"], th, t, v[r, "mb_per_s"], v[r, "mb_per_s"] / th, v[r, "rows"] / t / 1e6,
             c, mb / c, v[r, "peak_rss_mb"], pandas / t, pandas_cpu / c
    }
  }'
