#!/usr/bin/env python3
"""Joins a model's held-out scores (`upcamp train --validation-out`) with synth's truth.csv and
writes one table with three scores on the same rows: the model's, the oracle's (the generator's
true uplift of the trained outcome, column TRUTH_COLUMN) and a seeded random one. `upcamp metrics`
is then run on each score column.

    model_quality.py VALIDATION_CSV TRUTH_CSV TRUTH_COLUMN OUT_CSV
    model_quality.py --qini-area JOINED_CSV COLUMN...
    model_quality.py --expected-area JOINED_CSV COLUMN...

The second form prints, per score column, the area between its Qini curve (scikit-uplift's
qini_curve: cumulative treated outcome minus control outcome scaled to the treated count, at every
distinct score, highest first) and the random line. The ratio of two such areas is the ratio of
their normalized Qini AUCs (same rows, same perfect curve), and unlike the normalized AUC it is
defined for continuous outcomes too.

The third form is the noise-free version of the second: the outcome of each client is replaced
by its true uplift (the oracle column), so the area is what the Qini area of that ranking
converges to over many independent draws of the outcomes (for a 50/50 randomization the Qini
curve at n is, in expectation, half the sum of the true uplifts of the top n). One draw of the
outcomes moves the observed ratio by several points at 200k rows; this one does not move.

Standard library only (the previous pandas version failed where `python3` was an interpreter
without pandas)."""
import csv
import random
import sys


def qini_area(scores, treatment, outcome):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    n_t = n_c = 0
    y_t = y_c = 0.0
    xs, ys = [0.0], [0.0]
    for rank, i in enumerate(order):
        if treatment[i]:
            n_t += 1
            y_t += outcome[i]
        else:
            n_c += 1
            y_c += outcome[i]
        last = rank + 1 == len(order)
        if last or scores[order[rank + 1]] != scores[i]:
            xs.append(float(rank + 1))
            ys.append(y_t - (y_c * n_t / n_c if n_c else 0.0))
    area = sum((xs[k] - xs[k - 1]) * (ys[k] + ys[k - 1]) / 2 for k in range(1, len(xs)))
    return area - xs[-1] * ys[-1] / 2


def expected_area(scores, uplift):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    xs, ys = [0.0], [0.0]
    total = 0.0
    for rank, i in enumerate(order):
        total += uplift[i]
        last = rank + 1 == len(order)
        if last or scores[order[rank + 1]] != scores[i]:
            xs.append(float(rank + 1))
            ys.append(total)
    area = sum((xs[k] - xs[k - 1]) * (ys[k] + ys[k - 1]) / 2 for k in range(1, len(xs)))
    return area - xs[-1] * ys[-1] / 2


def print_expected_areas(joined_path, columns) -> None:
    with open(joined_path, newline="") as f:
        rows = list(csv.DictReader(f))
    uplift = [float(r["oracle"]) for r in rows]
    print(" ".join(f"{expected_area([float(r[c]) for r in rows], uplift):.6g}" for c in columns))


def print_areas(joined_path, columns) -> None:
    with open(joined_path, newline="") as f:
        rows = list(csv.DictReader(f))
    treatment = [int(r["treatment"]) for r in rows]
    outcome = [float(r["outcome"]) for r in rows]
    print(" ".join(f"{qini_area([float(r[c]) for r in rows], treatment, outcome):.6g}"
                   for c in columns))


def main() -> None:
    if sys.argv[1] == "--qini-area":
        print_areas(sys.argv[2], sys.argv[3:])
        return
    if sys.argv[1] == "--expected-area":
        print_expected_areas(sys.argv[2], sys.argv[3:])
        return
    validation_path, truth_path, truth_column, out_path = sys.argv[1:5]
    with open(truth_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if truth_column not in header:
            sys.exit(f"{truth_path}: no column {truth_column} (columns: {', '.join(header)})")
        id_index, value_index = header.index("client_id"), header.index(truth_column)
        truth = {row[id_index]: row[value_index] for row in reader}
    rng = random.Random(0)
    rows = 0
    with open(validation_path, newline="") as f, open(out_path, "w", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["client_id", "treatment", "outcome", "score", "oracle", "random"])
        seen = set()
        for row in reader:
            client = row["client_id"]
            if client in seen:
                sys.exit(f"{validation_path}: client {client} appears twice")
            seen.add(client)
            if client not in truth:
                sys.exit(f"{truth_path}: validation client {client} has no truth row")
            writer.writerow([client, row["treatment"], row["outcome"], row["score"], truth[client],
                             f"{rng.random():.17g}"])
            rows += 1
    if rows == 0:
        sys.exit(f"{validation_path}: no rows")


if __name__ == "__main__":
    main()
