#!/usr/bin/env bash
# upcamp features vs the straightforward pandas implementation (bench/pandas_features.py), same
# data, same config (bench/configs/features_reference.yaml), raw CSV to feature CSV, in one run:
# wall time and peak RSS (median of --repeat runs), throughput, and a value comparison.
#   bench/features_vs_pandas.sh DATA_DIR [--repeat 3] [--threads N] [--date-to 2019-03-19]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: features_vs_pandas.sh DATA_DIR [--repeat N] [--threads N]}"; shift
repeat=3; threads=$(nproc); date_to=2019-03-19
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --date-to) date_to="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
upcamp=build/src/cli/upcamp
[ -x "$upcamp" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
out=bench/out/features; mkdir -p "$out"

# Runs a command under /usr/bin/time; prints "seconds max_rss_kb".
measure() {
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || {
    cat "$out/stderr.txt" >&2; exit 1; }
  cat "$out/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -a up_t up_m pd_t pd_m
for i in $(seq "$repeat"); do
  read -r t m < <(measure "$upcamp" --threads "$threads" -q features --catalog "$data/catalog.yaml" \
    --config bench/configs/features_reference.yaml --date-to "$date_to" --out "$out/upcamp.csv")
  up_t+=("$t"); up_m+=("$m")
  read -r t m < <(measure /usr/bin/python3 bench/pandas_features.py "$data" "$date_to" "$out/pandas.csv")
  pd_t+=("$t"); pd_m+=("$m")
done
ut=$(printf '%s\n' "${up_t[@]}" | median); um=$(printf '%s\n' "${up_m[@]}" | median)
pt=$(printf '%s\n' "${pd_t[@]}" | median); pm=$(printf '%s\n' "${pd_m[@]}" | median)
receipts=$(($(wc -l < "$data/receipts.csv") - 1)); lines=$(($(wc -l < "$data/purchases.csv") - 1))
echo "data: $data ($receipts receipts, $lines product lines), threads: $threads, repeats: $repeat"
printf '%-8s %10s %12s %16s %18s\n' tool "wall s" "peak RSS MB" "receipts/s" "product lines/s"
printf '%-8s %10.2f %12.0f %16.0f %18.0f\n' upcamp "$ut" "$(echo "$um/1024" | bc -l)" \
  "$(echo "$receipts/$ut" | bc -l)" "$(echo "$lines/$ut" | bc -l)"
printf '%-8s %10.2f %12.0f %16.0f %18.0f\n' pandas "$pt" "$(echo "$pm/1024" | bc -l)" \
  "$(echo "$receipts/$pt" | bc -l)" "$(echo "$lines/$pt" | bc -l)"
printf 'speed-up: %.1fx wall time; memory: upcamp uses %.2f of pandas peak RSS\n' \
  "$(echo "$pt/$ut" | bc -l)" "$(echo "$um/$pm" | bc -l)"
/usr/bin/python3 bench/compare_tables.py "$out/upcamp.csv" "$out/pandas.csv"
