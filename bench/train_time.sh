#!/usr/bin/env bash
# Training time of the XGBoost learners on every client of a synthetic dataset (issue 4):
#   bench/train_time.sh --data DIR [--models "t_learner x_learner s_learner"] [--repeat 3]
#                       [--threads 2]
# Feature config and model nodes as in bench/model_quality.sh (8 calcers, 65 model inputs; XGBoost
# depth 4, eta 0.05, 300 rounds; S-learner with interaction columns), outcome "bought anything",
# no validation (the model is fitted on every row). The features stage shares model_quality.sh's
# training run, so it is extracted once; each timed run is `upcamp train --force-stage fit`
# (fit + bundle stages; the features stage restored), measured with /usr/bin/time. Prints, per
# model, the median over the repeats of: the fit stage's wall seconds, the whole command's wall
# and CPU (user + system) seconds and its peak RSS.
# upcamp's times only. A Python comparison (the same learners with Debian's python3-xgboost,
# which is packaged but not installed on the machine of docs/benchmarks.md) is not written yet.
set -euo pipefail
cd "$(dirname "$0")/.."
data=""
repeat=3
threads=2
models="t_learner x_learner s_learner"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "train_time.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || { echo "train_time.sh: --data DIR (an upcamp synth dataset) is required" >&2; exit 2; }
data="$(cd "$data" && pwd)"
upcamp="$PWD/build/src/cli/upcamp"
work="bench/out/model_quality"
mkdir -p "$work"
run_id="mq-$(basename "$data")-base"

model_node() {
  case "$1" in
    s_learner) echo "{type: s_learner, interactions: true, base: {type: xgboost, params: {max_depth: 4, eta: 0.05, num_rounds: 300}}}" ;;
    *) echo "{type: $1, base: {type: xgboost, params: {max_depth: 4, eta: 0.05, num_rounds: 300}}}" ;;
  esac
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "data $data, threads $threads, $repeat runs each; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-12s %8s %12s %10s %10s %10s   %s\n" model rows "fit stage s" "wall s" "CPU s" "RSS MB" "runs (fit stage s)"
feature_yaml="$(grep -v '^#' bench/configs/model_features_base.yaml | sed 's/^/    /')"
for m in $models; do
  config="$work/time-$(basename "$data")-$m.yaml"
  cat > "$config" <<YAML
seed: 7
data:
  catalog: $data/catalog.yaml
  date_to: 2019-03-19
  features:
$feature_yaml
  target:
    calcer: {name: target_from_campaigns, args: {date_to: 2019-03-21}}
    expression: "target_purchases_count > 0"
  transforms:
    - {name: one_hot_encode, args: {cols: [gender]}}
model: $(model_node "$m")
YAML
  # Make sure the features stage exists (computed once, untimed).
  "$upcamp" --quiet --threads "$threads" --runs-dir "$work/runs" train --config "$config" \
    --out "$work/time-bundle-$m" --run-id "$run_id" --until-stage features
  fits=(); walls=(); cpus=(); rss=(); rows=0
  for ((r = 1; r <= repeat; r++)); do
    log="$work/time-$m-$r.log"
    /usr/bin/time -f "TIME %e %U %S %M" "$upcamp" --threads "$threads" --runs-dir "$work/runs" \
      train --config "$config" --out "$work/time-bundle-$m" --run-id "$run_id" \
      --force-stage fit 2>"$log"
    read -r _ fit_rows fit_s <<<"$(awk '$1 == "fit" { print $1, $3, $5 }' "$log")"
    rows=$fit_rows
    read -r _ e u s k <<<"$(grep '^TIME' "$log")"
    fits+=("$fit_s"); walls+=("$e"); cpus+=("$(echo "$u + $s" | bc)"); rss+=("$((k / 1024))")
  done
  printf "%-12s %8s %12s %10s %10s %10s   %s\n" "$m" "$rows" \
    "$(printf '%s\n' "${fits[@]}" | median)" "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)" "${fits[*]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
