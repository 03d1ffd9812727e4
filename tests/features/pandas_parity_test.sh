#!/usr/bin/env bash
# The whole reference feature config on synthetic data, computed by upcamp and by an independent
# straightforward pandas implementation (bench/pandas_features.py): same clients, same columns,
# numbers equal within 1e-9 relative. Run by ctest: pandas_parity_test.sh UPCAMP SOURCE_DIR
set -euo pipefail
upcamp="$1"; src="$2"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$upcamp" -q synth --out "$work/data" --clients 1500 --seed 11
for threads in 1 2; do
  "$upcamp" -q --threads "$threads" features --catalog "$work/data/catalog.yaml" \
    --config "$src/tests/features/configs/parity.yaml" --date-to 2019-03-19 \
    --out "$work/upcamp_$threads.csv"
done
cmp "$work/upcamp_1.csv" "$work/upcamp_2.csv"  # byte-identical for any thread count
/usr/bin/python3 "$src/bench/pandas_features.py" "$work/data" 2019-03-19 "$work/pandas.csv" --config parity
/usr/bin/python3 "$src/bench/compare_tables.py" "$work/upcamp_1.csv" "$work/pandas.csv" --rtol 1e-9
