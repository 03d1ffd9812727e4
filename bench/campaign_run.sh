#!/usr/bin/env bash
# A full `upcamp campaign run` from raw CSV to frozen result, and the re-run of the finished run:
# wall time, CPU time (user + system) and peak RSS, medians of --repeat runs, plus the per-stage
# times of the last fresh run. All clients are eligible (no filters), three groups by fractions.
#   bench/campaign_run.sh DATA_DIR [--repeat 3] [--threads N] [--train-data DIR]
# The model bundle is trained once (t_learner over XGBoost on --train-data, default a 50k synth
# dataset made on the fly) and reused; the campaign computes the bundle's serving features (which
# read receipts.csv and purchases.csv) and the selection features for every client of DATA_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: campaign_run.sh DATA_DIR [--repeat N] [--threads N] [--train-data DIR]}"; shift
repeat=3; threads=$(nproc); train_data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --train-data) train_data="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
upcamp="$PWD/build/src/cli/upcamp"
[ -x "$upcamp" ] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
data="$(cd "$data" && pwd)"
out="$PWD/bench/out/campaign"; mkdir -p "$out"

if [ -z "$train_data" ]; then
  train_data="$out/train50k"
  [ -f "$train_data/catalog.yaml" ] || "$upcamp" -q synth --out "$train_data" --clients 50000 --seed 11
fi
train_data="$(cd "$train_data" && pwd)"

if [ ! -f "$out/model/manifest.json" ]; then
  cat > "$out/train.yaml" <<YAML
seed: 3
data:
  catalog: $train_data/catalog.yaml
  date_to: 2019-03-19
  features:
    - {name: receipts_basic, args: {delta: 60}}
    - {name: receipts_basic, args: {delta: 15}}
    - {name: age_gender}
    - {name: unique_categories, args: {delta: 60, col_category: level_3}}
    - {name: rfm, args: {delta: 90}}
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    treatment: treatment_flg
    expression: "target_purchases_count"
  transforms:
    - {name: one_hot_encode, args: {cols: [gender]}}
model: {type: t_learner, base: {type: xgboost, params: {max_depth: 4, eta: 0.1, num_rounds: 100}}}
validation: {test_fraction: 0.3}
threshold: {percentile: 70}
YAML
  echo "training the bundle on $train_data ..."
  "$upcamp" -q --threads "$threads" --runs-dir "$out/train-runs" train --config "$out/train.yaml" \
    --out "$out/model"
fi

cat > "$out/campaign.yaml" <<YAML
name: bench
seed: 5
catalog: $data/catalog.yaml
model: $out/model
date_to: 2019-03-19
selection:
  features: [{name: receipts_basic, args: {delta: 30}}, {name: age_gender}]
groups:
  - {name: control,       fraction: 0.2, treatment: {type: constant, value: no_offer}}
  - {name: random_target, fraction: 0.2, treatment: {type: constant, value: offer}}
  - {name: targeted,      fraction: 0.6, treatment: {type: model}}
threshold: {type: from_model}
YAML

# Runs a command under /usr/bin/time; prints "seconds max_rss_kb cpu_seconds".
measure() {
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt" || {
    cat "$out/stderr.txt" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$out/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
med() { printf '%s\n' "$@" | median; }

run=("$upcamp" --threads "$threads" --runs-dir "$out/runs" campaign run --config "$out/campaign.yaml"
     --run-id bench)
declare -a f_t f_m f_c r_t r_m r_c
for i in $(seq "$repeat"); do
  rm -rf "$out/runs"
  read -r t m c < <(measure "${run[@]}"); f_t+=("$t"); f_m+=("$m"); f_c+=("$c")
  cp "$out/runs/bench/result.csv" "$out/result.$i.csv"
  read -r t m c < <(measure "${run[@]}"); r_t+=("$t"); r_m+=("$m"); r_c+=("$c")
done
for i in $(seq 2 "$repeat"); do
  cmp -s "$out/result.1.csv" "$out/result.$i.csv" || { echo "result.csv differs between runs" >&2; exit 1; }
done

clients=$(($(wc -l < "$out/result.1.csv") - 1))
echo "data: $data ($clients clients in result.csv), threads: $threads, repeats: $repeat, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %9s %9s %12s\n' run "wall s" "CPU s" "peak RSS MB"
printf '%-22s %9.2f %9.2f %12.0f\n' "fresh run" "$(med "${f_t[@]}")" "$(med "${f_c[@]}")" \
  "$(echo "$(med "${f_m[@]}")/1024" | bc -l)"
printf '%-22s %9.2f %9.2f %12.0f\n' "re-run (frozen)" "$(med "${r_t[@]}")" "$(med "${r_c[@]}")" \
  "$(echo "$(med "${r_m[@]}")/1024" | bc -l)"
echo "fresh runs, wall s: ${f_t[*]}; re-runs, wall s: ${r_t[*]}"
echo "stages of the last fresh run (seconds):"
"$upcamp" --runs-dir "$out/runs" campaign status --run-id bench | sed 's/^/  /'
