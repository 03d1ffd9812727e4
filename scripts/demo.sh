#!/usr/bin/env bash
# The main job on built-in demo data, from a fresh Debian machine: installs packages, builds,
# then runs upcamp end to end on a synthetic retail dataset and prints where the outputs are.
#   ./scripts/demo.sh [--clients N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=100000
out=demo
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "demo.sh: unknown option '$1' (known: --clients N, --out DIR)" >&2; exit 2 ;;
  esac
done

./scripts/install-deps.sh
./scripts/build.sh release upcamp
upcamp="$PWD/build/src/cli/upcamp"
mkdir -p "$out"

echo
echo "== 1. Synthesize a retail dataset: $clients clients, ~4 months of receipts, a past 50/50 campaign"
"$upcamp" synth --out "$out/data" --clients "$clients" --seed 7

echo
echo "== 2. Look at what was generated"
"$upcamp" table info "$out/data/receipts.csv"
"$upcamp" table head "$out/data/purchases.csv" -n 5

echo
echo "== 3. Store the receipts as a checksummed binary columnar file (.ucol), as stages do"
"$upcamp" table convert "$out/data/receipts.csv" --out "$out/receipts.ucol"
"$upcamp" table info "$out/receipts.ucol"

echo
echo "== 4. Customer features as of 2019-03-19 (windows end there: nothing later leaks in)"
cat > "$out/features.yaml" <<'YAML'
- {name: receipts_basic, args: {delta: 60}}
- {name: receipts_basic, args: {delta: 15}}
- {name: age_gender}
- {name: unique_categories, args: {delta: 60, col_category: level_3}}
YAML
"$upcamp" features --catalog "$out/data/catalog.yaml" --config "$out/features.yaml" \
  --date-to 2019-03-19 --out "$out/features.csv"
"$upcamp" table head "$out/features.csv" -n 3

echo
echo "== 5. Train an uplift model on the past 50/50 campaign (outcome: receipts in the campaign window)"
cat > "$out/train.yaml" <<'YAML'
seed: 165
data:
  catalog: data/catalog.yaml
  date_to: 2019-03-19
  features:
    - {name: receipts_basic, args: {delta: 60}}
    - {name: receipts_basic, args: {delta: 15}}
    - {name: age_gender}
    - {name: rfm, args: {delta: 90}}
    - {name: points, args: {delta: 90}}
    - {name: time_of_day, args: {delta: 90}}
    - {name: store_loyalty, args: {delta: 90}}
    - {name: client_tenure}
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    treatment: treatment_flg
    expression: "target_purchases_count"
  transforms:
    - {name: one_hot_encode, args: {cols: [gender]}}
model:
  type: x_learner
  base: {type: xgboost, params: {max_depth: 3, eta: 0.05, num_rounds: 200, min_child_weight: 20}}
validation: {test_fraction: 0.3}
threshold: {percentile: 70}
YAML
rm -rf "$out/runs"  # a fresh story each time: training and campaign runs start from scratch
"$upcamp" --runs-dir "$out/runs" train --config "$out/train.yaml" --out "$out/model"

echo
echo "== 6. Run a campaign: select active adults, split into control / random target / targeted,"
echo "      offer to the targeted clients the model scores above the threshold, freeze the result"
cat > "$out/campaign.yaml" <<'YAML'
name: demo-march
seed: 165
catalog: data/catalog.yaml
model: model
date_to: 2019-03-19
selection:
  features: [{name: receipts_basic, args: {delta: 30}}, {name: age_gender}]
  filters: ["transaction_id_count__30d > 0", "age >= 18"]
groups:
  - {name: control,       fraction: 0.2, treatment: {type: constant, value: no_offer}}
  - {name: random_target, fraction: 0.2, treatment: {type: constant, value: offer}}
  - {name: targeted,      fraction: 0.6, treatment: {type: model}}
threshold: {type: from_model}
YAML
"$upcamp" --runs-dir "$out/runs" campaign run --config "$out/campaign.yaml" --run-id demo-march
"$upcamp" --runs-dir "$out/runs" campaign status --run-id demo-march

echo
echo "== 7. Simulate the campaign's outcome with the generator's behaviour model, then evaluate it"
"$upcamp" synth respond --data "$out/data" --assignment "$out/runs/demo-march/result.csv" \
  --out "$out/responses.csv"
"$upcamp" --runs-dir "$out/runs" campaign evaluate --run-id demo-march \
  --responses "$out/responses.csv"

echo
echo "How to read the evaluation (outcome: receipts per client in the 4 weeks after the offer):"
echo "  random_target  = what an offer to anyone adds: the average effect, no model involved."
echo "  targeted_offer = what an offer adds where the model chose to make one (vs control clients"
echo "                   the model scored the same way). When it beats random_target, the model"
echo "                   found the persuadable clients: each offer buys more receipts."
echo "  targeted_no_offer ~ 0: nobody on either side got an offer. targeted / targeted_vs_random"
echo "  compare whole groups: the targeted group makes fewer offers, so its total lift can be"
echo "  lower than offering everyone; it wins when offers cost money (threshold: {type: profit})."
echo "  The data is synthetic, so the truth is known: $out/data/truth.csv has every client's true"
echo "  expected receipts with and without the offer."

echo
echo "demo: outputs are in $out/"
echo "  $out/data/                       the synthetic dataset (catalog.yaml, five tables, truth.csv with true uplift)"
echo "  $out/features.csv                one row per client: the reference features as of 2019-03-19"
echo "  $out/model/                      the model bundle: manifest.json (validation metrics, checksums), XGBoost JSON model files, report.html"
echo "  $out/runs/demo-march/result.csv  the frozen campaign: client_id, group, treatment, score, rank"
echo "  $out/runs/demo-march/evaluation.json  effects with confidence intervals, SRM check, model quality"
echo "  report: $out/runs/demo-march/report.html"
