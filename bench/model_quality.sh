#!/usr/bin/env bash
# Model quality on synthetic data, where the true uplift is known (issue 4): for every model type,
# the validation normalized Qini AUC and uplift@30% next to the oracle (truth.csv's true uplift as
# the score, on the same held-out rows) and a random score.
#   bench/model_quality.sh [--clients N] [--data DIR] [--models "t_learner x_learner ..."]
# Outcome: bought anything during the past campaign (target_purchases_count > 0); the oracle ranks
# by the true uplift of the expected purchase count (the generator's exact expectation), the
# natural ranking for that binary outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=50000
data=""
models="s_learner t_learner x_learner r_learner dr_learner class_transformation transformed_outcome uplift_forest"
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    *) echo "model_quality.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
upcamp="$PWD/build/src/cli/upcamp"
work="bench/out/model_quality"
mkdir -p "$work"
if [ -z "$data" ]; then
  data="$work/data-$clients"
  [ -f "$data/catalog.yaml" ] || "$upcamp" synth --out "$data" --clients "$clients" --seed 11
fi
data="$(cd "$data" && pwd)"

model_node() {
  case "$1" in
    uplift_forest) echo "{type: uplift_forest, params: {n_trees: 100, max_depth: 8, min_samples_leaf: 200, min_samples_treatment: 50, max_features: 8, criterion: KL}}" ;;
    s_learner) echo "{type: s_learner, interactions: true, base: {type: xgboost, params: {max_depth: 4, eta: 0.05, num_rounds: 300, subsample: 1.0}}}" ;;
    *) echo "{type: $1, base: {type: xgboost, params: {max_depth: 4, eta: 0.05, num_rounds: 300}}}" ;;
  esac
}

metric() {  # file score-column -> "qini_auc uplift_at_k_overall"
  "$upcamp" --quiet metrics --input "$1" --score "$2" --treatment treatment --target outcome |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["qini_auc"], j["uplift_at_k_overall"])'
}

printf "%-22s %10s %10s %10s %12s %8s\n" model qini_auc oracle random uplift@30% seconds
for m in $models; do
  cat > "$work/train-$m.yaml" <<YAML
seed: 7
data:
  catalog: $data/catalog.yaml
  date_to: 2019-03-19
  features:
    - {name: receipts_basic, args: {delta: 60}}
    - {name: receipts_basic, args: {delta: 15}}
    - {name: age_gender}
    - {name: unique_categories, args: {delta: 60, col_category: level_3}}
    - {name: rfm, args: {delta: 90}}
    - {name: points, args: {delta: 60}}
    - {name: time_of_day, args: {delta: 60}}
    - {name: receipt_intervals, args: {delta: 90}}
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    expression: "target_purchases_count > 0"
  transforms:
    - {name: one_hot_encode, args: {cols: [gender]}}
model: $(model_node "$m")
validation: {test_fraction: 0.5}
YAML
  start=$(date +%s.%N)
  "$upcamp" --quiet train --config "$work/train-$m.yaml" --out "$work/bundle-$m" \
    --validation-out "$work/validation-$m.csv"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  python3 bench/model_quality.py "$work/validation-$m.csv" "$data/truth.csv" \
    uplift_purchases_count "$work/joined-$m.csv"
  read -r q u <<<"$(metric "$work/joined-$m.csv" score)"
  read -r qo _ <<<"$(metric "$work/joined-$m.csv" oracle)"
  read -r qr _ <<<"$(metric "$work/joined-$m.csv" random)"
  printf "%-22s %10.4f %10.4f %10.4f %12.4f %8.1f\n" "$m" "$q" "$qo" "$qr" "$u" "$secs"
done
