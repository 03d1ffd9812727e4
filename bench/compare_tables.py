#!/usr/bin/python3
"""Compares two feature CSVs keyed by client_id: the same clients, the same columns, numbers equal
within a relative tolerance (default 1e-9), text and timestamps equal, missing in the same places.
Exit 0 when equal, 1 with a report of the first differences otherwise.

Usage: compare_tables.py A.csv B.csv [--rtol 1e-9] [--columns c1,c2,...]
"""
import sys

import numpy as np
import pandas as pd


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    rtol = float(args[args.index("--rtol") + 1]) if "--rtol" in args else 1e-9
    a = pd.read_csv(args[0], dtype={"client_id": str}, keep_default_na=True).set_index("client_id")
    b = pd.read_csv(args[1], dtype={"client_id": str}, keep_default_na=True).set_index("client_id")
    cols = args[args.index("--columns") + 1].split(",") if "--columns" in args else list(a.columns)
    problems = []
    if set(a.index) != set(b.index):
        problems.append(f"clients differ: {len(set(a.index) - set(b.index))} only in A, "
                        f"{len(set(b.index) - set(a.index))} only in B")
    missing = [c for c in cols if c not in b.columns or c not in a.columns]
    if missing:
        problems.append(f"columns missing: {missing}")
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    worst = 0.0
    for c in cols:
        if c in missing:
            continue
        x, y = a[c], b[c]
        if x.isna().ne(y.isna()).any():
            n = int(x.isna().ne(y.isna()).sum())
            problems.append(f"{c}: missing in different places ({n} rows), e.g. "
                            f"{x[x.isna().ne(y.isna())].index[0]}")
            continue
        mask = x.notna()
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            xv, yv = x[mask].to_numpy(float), y[mask].to_numpy(float)
            rel = np.abs(xv - yv) / np.maximum(np.maximum(np.abs(xv), np.abs(yv)), 1e-300)
            rel[(xv == yv)] = 0.0
            if len(rel) and rel.max() > rtol:
                i = int(rel.argmax())
                problems.append(f"{c}: max relative difference {rel.max():.3g} at "
                                f"{x[mask].index[i]} ({xv[i]!r} vs {yv[i]!r})")
            worst = max(worst, float(rel.max()) if len(rel) else 0.0)
        elif not (x[mask].astype(str) == y[mask].astype(str)).all():
            bad = x[mask][x[mask].astype(str) != y[mask].astype(str)].index[0]
            problems.append(f"{c}: values differ, e.g. {bad}: {a.at[bad, c]!r} vs {b.at[bad, c]!r}")
    if problems:
        print("DIFFERENT:\n  " + "\n  ".join(problems))
        return 1
    print(f"equal: {len(common)} clients x {len(cols)} columns, max relative difference {worst:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
