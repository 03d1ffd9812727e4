#!/usr/bin/env bash
# Model quality on synthetic data, where the true uplift is known (issue 4): for every model type,
# the validation normalized Qini AUC and uplift@30% next to the oracle's and a random score's, on
# the same held-out rows.
#   bench/model_quality.sh [--clients N] [--data DIR] [--models "t_learner x_learner ..."]
#                          [--target any|count|profit] [--threads N] [--features base|extended]
#                          [--xgb-params "max_depth: 4, eta: 0.05, num_rounds: 300"]
#                          [--forest-params "n_trees: 100, max_depth: 8, ..."] [--tag NAME]
#                          [--folds K] [--draws N]
#
# The oracle scores each client by the true uplift of the SAME outcome the models are trained on,
# from truth.csv (the generator's exact expectations):
#   any     target_purchases_count > 0 (bought anything in the campaign window; binary)
#           oracle: uplift_purchase_prob = P(count > 0 | offer) - P(count > 0 | no offer)
#   count   target_purchases_count (receipts in the window; continuous)
#           oracle: uplift_purchases_count = E[count | offer] - E[count | no offer]
#   profit  0.2*target_purchases_sum - 0.1*target_campaign_points_spent - 1.5*treatment_flg
#           oracle: uplift_profit (the same linear combination of the expectations)
# The oracle is the best any model can rank, but its normalized Qini is not 1: the perfect curve
# is built from the observed (noisy) outcomes. "vs oracle" = model Qini / oracle Qini.
#
# All model types share one training run id per (data, target): the features stage (the costly
# part at 400k clients) is computed once and restored for the others (docs/training.md).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=50000
data=""
target=any
threads=2
features=base
xgb_params="max_depth: 4, eta: 0.05, num_rounds: 300"
forest_params="n_trees: 100, max_depth: 8, min_samples_leaf: 200, min_samples_treatment: 50, max_features: 8, criterion: KL"
extra_tag=""
validation="{test_fraction: 0.5}"
draws=0
models="s_learner t_learner x_learner r_learner dr_learner class_transformation transformed_outcome uplift_forest"
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --features) features="$2"; shift 2 ;;
    --xgb-params) xgb_params="$2"; shift 2 ;;
    --forest-params) forest_params="$2"; shift 2 ;;
    --tag) extra_tag="$extra_tag-$2"; shift 2 ;;
    --draws) draws="$2"; shift 2 ;;
    --folds) validation="{folds: $2}"; extra_tag="$extra_tag-folds$2"; shift 2 ;;
    *) echo "model_quality.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
case "$target" in
  any) target_yaml='expression: "target_purchases_count > 0"'; truth_column=uplift_purchase_prob ;;
  count) target_yaml='column: target_purchases_count'; truth_column=uplift_purchases_count ;;
  profit) target_yaml='expression: "0.2*target_purchases_sum - 0.1*target_campaign_points_spent - 1.5*treatment_flg"'
          truth_column=uplift_profit ;;
  *) echo "model_quality.sh: --target must be any, count or profit" >&2; exit 2 ;;
esac
# Standard library only; Debian's python3 unless PYTHON is set.
py="${PYTHON:-/usr/bin/python3}"
upcamp="$PWD/build/src/cli/upcamp"
work="bench/out/model_quality"
mkdir -p "$work"
if [ -z "$data" ]; then
  data="$work/data-$clients"
  [ -f "$data/catalog.yaml" ] || "$upcamp" synth --out "$data" --clients "$clients" --seed 11
fi
data="$(cd "$data" && pwd)"
if ! head -1 "$data/truth.csv" | tr ',' '\n' | grep -qx "$truth_column"; then
  echo "model_quality.sh: $data/truth.csv has no column $truth_column; regenerate the dataset" \
       "with this upcamp (upcamp synth)" >&2
  exit 2
fi
tag="$(basename "$data")-$target-$features$extra_tag"
# base: the calcers of the training-time benchmark (bench/configs/model_features_base.yaml);
# extended adds store loyalty (single-store clients are sleeping dogs in the generator), tenure
# (newcomers react more; promo hunters redeem soon after the card issue), a 30-day window
# (frequency trend: fading clients react more) and points over the whole history (promo
# sensitivity of clients with few receipts).
feature_yaml="$(grep -v '^#' bench/configs/model_features_base.yaml | sed 's/^/    /')"
case "$features" in
  base) ;;
  extended) feature_yaml="$feature_yaml
    - {name: rfm, args: {delta: 30}}
    - {name: store_loyalty, args: {delta: 90}}
    - {name: client_tenure}
    - {name: points, args: {delta: 120}}" ;;
  *) echo "model_quality.sh: --features must be base or extended" >&2; exit 2 ;;
esac

model_node() {
  case "$1" in
    uplift_forest) echo "{type: uplift_forest, params: {$forest_params}}" ;;
    s_learner) echo "{type: s_learner, interactions: true, base: {type: xgboost, params: {$xgb_params}}}" ;;
    *) echo "{type: $1, base: {type: xgboost, params: {$xgb_params}}}" ;;
  esac
}

metric() {  # file score-column -> "qini_auc uplift_at_k_overall" (n/a when undefined)
  "$upcamp" --quiet metrics --input "$1" --score "$2" --treatment treatment --target outcome |
    "$py" -c 'import json,sys; j=json.load(sys.stdin); f=lambda v: "n/a" if v is None else "%.4f" % v; print(f(j["qini_auc"]), f(j["uplift_at_k_overall"]))'
}

echo "data $data, target $target (oracle: truth.csv $truth_column), threads $threads, features $features"
echo "xgboost: $xgb_params; forest: $forest_params"
printf "%-22s %9s %9s %9s %10s %9s %11s %11s %11s %8s\n" model qini oracle random "vs oracle" \
  expected uplift@30% "oracle@30%" "random@30%" seconds
for m in $models; do
  if [ "$target" != any ] && [ "$m" = class_transformation ]; then
    printf "%-22s (binary outcomes only)\n" "$m"
    continue
  fi
  node="$(model_node "$m")"
  if [ "$target" != any ] && [ "$m" = uplift_forest ]; then
    node="${node/criterion: KL/criterion: ED}"  # KL and Chi need a binary outcome
  fi
  cat > "$work/train-$tag-$m.yaml" <<YAML
seed: 7
data:
  catalog: $data/catalog.yaml
  date_to: 2019-03-19
  features:
$feature_yaml
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    $target_yaml
  transforms:
    - {name: one_hot_encode, args: {cols: [gender]}}
model: $node
validation: $validation
YAML
  start=$(date +%s.%N)
  "$upcamp" --quiet --threads "$threads" --runs-dir "$work/runs" train \
    --config "$work/train-$tag-$m.yaml" --out "$work/bundle-$tag-$m" --run-id "mq-$(basename "$data")-$features" \
    --validation-out "$work/validation-$tag-$m.csv"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  "$py" bench/model_quality.py "$work/validation-$tag-$m.csv" "$data/truth.csv" \
    "$truth_column" "$work/joined-$tag-$m.csv"
  read -r q u <<<"$(metric "$work/joined-$tag-$m.csv" score)"
  read -r qo uo <<<"$(metric "$work/joined-$tag-$m.csv" oracle)"
  read -r qr ur <<<"$(metric "$work/joined-$tag-$m.csv" random)"
  # Model vs oracle: the ratio of their Qini areas above the random line (= the ratio of their
  # normalized Qini AUCs for a binary outcome; also defined for continuous ones).
  read -r a ao <<<"$("$py" bench/model_quality.py --qini-area "$work/joined-$tag-$m.csv" score oracle)"
  ratio=$(awk -v a="$a" -v b="$ao" 'BEGIN { printf "%.3f", a / b }')
  # The same ratio with every outcome replaced by its expectation (the true uplift): what the
  # observed ratio converges to over independent draws of the outcomes (model_quality.py).
  read -r e eo <<<"$("$py" bench/model_quality.py --expected-area "$work/joined-$tag-$m.csv" score oracle)"
  expected=$(awk -v a="$e" -v b="$eo" 'BEGIN { printf "%.3f", a / b }')
  printf "%-22s %9s %9s %9s %10s %9s %11s %11s %11s %8.1f\n" "$m" "$q" "$qo" "$qr" \
    "$ratio" "$expected" "$u" "$uo" "$ur" "$secs"
done
# One draw of the held-out outcomes moves every ratio by several points (together: they share the
# draw); --draws N recomputes them on N independent draws (`synth respond --draw k`).
if [ "$draws" -gt 0 ]; then
  joined=()
  for m in $models; do
    [ -f "$work/joined-$tag-$m.csv" ] && joined+=("$work/joined-$tag-$m.csv")
  done
  "$py" bench/qini_over_draws.py "$upcamp" "$data" "$target" "$draws" "${joined[@]}"
fi
