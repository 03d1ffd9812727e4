#!/usr/bin/env python3
"""The model-vs-oracle Qini ratio of bench/model_quality.sh over independent draws of the
held-out outcomes: the observed ratio of one draw moves by several points, this shows by how
much and what it averages to.

    qini_over_draws.py UPCAMP DATA_DIR TARGET DRAWS JOINED_CSV...

For draw k = 1..DRAWS, `upcamp synth respond --draw k` draws new outcomes for the held-out clients
under their recorded treatment (the same behaviour model, an independent realization; the
models were trained on draw 0), the outcome is derived as for TARGET (any | count | profit),
and the ratio of the Qini areas above random (model / oracle, model_quality.py's --qini-area)
is computed per JOINED_CSV (one per model type). Prints per model: the ratio on the outcomes of
campaigns.csv (the table's; `respond` draws are other realizations, draw 0 included), the mean,
standard deviation, minimum and maximum over the new draws. Standard library only."""
import csv
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_quality import qini_area  # noqa: E402


def outcome(target, row, treated):
    count = float(row["target_purchases_count"])
    if target == "any":
        return 1.0 if count > 0 else 0.0
    if target == "count":
        return count
    return (0.2 * float(row["target_purchases_sum"]) -
            0.1 * float(row["target_campaign_points_spent"]) - 1.5 * treated)


def main() -> None:
    upcamp, data, target, draws = sys.argv[1:5]
    joined_paths = sys.argv[5:]
    tables = []
    for path in joined_paths:
        with open(path, newline="") as f:
            tables.append(list(csv.DictReader(f)))
    # Every model type was validated on the same held-out clients (the split is keyed by
    # client id and seed); one respond call per draw serves them all.
    clients = {r["client_id"]: int(r["treatment"]) for r in tables[0]}
    ratios = [[] for _ in tables]
    with tempfile.TemporaryDirectory() as tmp:
        assignment = os.path.join(tmp, "assignment.csv")
        with open(assignment, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["client_id", "treatment"])
            for client, t in clients.items():
                w.writerow([client, "offer" if t else "no_offer"])
        for k in range(1, int(draws) + 1):
            responses = os.path.join(tmp, f"draw{k}.csv")
            subprocess.run([upcamp, "--quiet", "synth", "respond", "--data", data,
                            "--assignment", assignment, "--draw", str(k), "--out", responses],
                           check=True)
            with open(responses, newline="") as f:
                y = {r["client_id"]: outcome(target, r, clients[r["client_id"]])
                     for r in csv.DictReader(f)}
            for m, rows in enumerate(tables):
                treatment = [int(r["treatment"]) for r in rows]
                outcomes = [y[r["client_id"]] for r in rows]
                model = qini_area([float(r["score"]) for r in rows], treatment, outcomes)
                oracle = qini_area([float(r["oracle"]) for r in rows], treatment, outcomes)
                ratios[m].append(model / oracle)
    print(f"{'model (joined file)':<52} {'table':>7} {'mean':>7} {'sd':>7} {'min':>7} {'max':>7}"
          f"   over {draws} new draws")
    for path, rows, r in zip(joined_paths, tables, ratios):
        treatment = [int(x["treatment"]) for x in rows]
        observed = [float(x["outcome"]) for x in rows]
        first = (qini_area([float(x["score"]) for x in rows], treatment, observed) /
                 qini_area([float(x["oracle"]) for x in rows], treatment, observed))
        print(f"{os.path.basename(path):<52} {first:7.3f} {statistics.mean(r):7.3f} "
              f"{statistics.stdev(r) if len(r) > 1 else 0.0:7.3f} {min(r):7.3f} {max(r):7.3f}")


if __name__ == "__main__":
    main()
