#!/usr/bin/env bash
# The main job on built-in demo data, from a fresh Debian machine: installs packages, builds,
# then runs upcamp end to end on a synthetic retail dataset and prints where the outputs are.
#   ./scripts/demo.sh [--clients N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=20000
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
echo "demo: outputs are in $out/"
echo "  $out/data/            the synthetic dataset (catalog.yaml, five tables, truth.csv with true uplift)"
echo "  $out/receipts.ucol    receipts as a binary columnar file"
echo "  $out/features.csv     one row per client: the reference features as of 2019-03-19"
