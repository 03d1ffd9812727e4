#!/usr/bin/env bash
# upcamp features vs the straightforward pandas implementation (bench/pandas_features.py), same
# data, same config (bench/configs/features_reference.yaml), raw CSV to feature CSV, in one run:
# wall time, CPU time (user + system) and peak RSS (medians of --repeat runs), throughput, and a
# value comparison. On a shared machine the CPU seconds are the comparable figure.
#   bench/features_vs_pandas.sh DATA_DIR [--repeat 3] [--threads N] [--date-to 2019-03-19]
#                               [--no-pandas]   (upcamp only, e.g. for the scaling runs)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: features_vs_pandas.sh DATA_DIR [--repeat N] [--threads N]}"; shift
repeat=3; threads=$(nproc); date_to=2019-03-19; pandas=1
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --date-to) date_to="$2"; shift 2 ;;
    --no-pandas) pandas=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
upcamp=build/src/cli/upcamp
[ -x "$upcamp" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
if [ "$pandas" -eq 1 ] && ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  echo "/usr/bin/python3 cannot import pandas; install it with scripts/install-deps.sh" \
    "(or: apt-get install -y python3-pandas), or pass --no-pandas" >&2
  exit 2
fi
out=bench/out/features; mkdir -p "$out"

# Runs a command under /usr/bin/time; prints "seconds max_rss_kb cpu_seconds".
measure() {
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || {
    cat "$out/stderr.txt" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$out/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Same page-cache state for every run of both tools: the files are read once right before each
# run (else the first run reads the disk, and on this VM the kernel's proactive reclaim evicts
# parts of the 5 GB input while the two-minute pandas run holds 6.7 GB, so the next upcamp run
# would read them back from disk).
warm() { cat "$data"/*.csv > /dev/null; }
declare -a up_t up_m up_c pd_t pd_m pd_c
for i in $(seq "$repeat"); do
  warm
  read -r t m c < <(measure "$upcamp" --threads "$threads" -q features --catalog "$data/catalog.yaml" \
    --config bench/configs/features_reference.yaml --date-to "$date_to" --out "$out/upcamp.csv")
  up_t+=("$t"); up_m+=("$m"); up_c+=("$c")
  if [ "$pandas" -eq 1 ]; then
    warm
    read -r t m c < <(measure /usr/bin/python3 bench/pandas_features.py "$data" "$date_to" \
      "$out/pandas.csv")
    pd_t+=("$t"); pd_m+=("$m"); pd_c+=("$c")
  fi
done
med() { printf '%s\n' "$@" | median; }
ut=$(med "${up_t[@]}"); um=$(med "${up_m[@]}"); uc=$(med "${up_c[@]}")
receipts=$(($(wc -l < "$data/receipts.csv") - 1)); lines=$(($(wc -l < "$data/purchases.csv") - 1))
echo "data: $data ($receipts receipts, $lines product lines), threads: $threads, repeats: $repeat"
printf '%-8s %9s %9s %12s %16s %18s %22s\n' tool "wall s" "CPU s" "peak RSS MB" "receipts/s" \
  "product lines/s" "product lines/CPU s"
row() {  # tool wall rss_kb cpu
  printf '%-8s %9.2f %9.2f %12.0f %16.0f %18.0f %22.0f\n' "$1" "$2" "$4" "$(echo "$3/1024" | bc -l)" \
    "$(echo "$receipts/$2" | bc -l)" "$(echo "$lines/$2" | bc -l)" "$(echo "$lines/$4" | bc -l)"
}
row upcamp "$ut" "$um" "$uc"
[ "$pandas" -eq 1 ] || exit 0
pt=$(med "${pd_t[@]}"); pm=$(med "${pd_m[@]}"); pc=$(med "${pd_c[@]}")
row pandas "$pt" "$pm" "$pc"
printf 'speed-up: %.1fx wall time, %.1fx CPU time; memory: upcamp uses %.3f of pandas peak RSS\n' \
  "$(echo "$pt/$ut" | bc -l)" "$(echo "$pc/$uc" | bc -l)" "$(echo "$um/$pm" | bc -l)"
/usr/bin/python3 bench/compare_tables.py "$out/upcamp.csv" "$out/pandas.csv"
