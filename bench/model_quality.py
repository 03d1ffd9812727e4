#!/usr/bin/env python3
"""Joins a model's held-out scores (`upcamp train --validation-out`) with synth's truth.csv and
writes one table with three scores on the same rows: the model's, the oracle's (the generator's
true uplift of the trained outcome, column TRUTH_COLUMN) and a seeded random one. `upcamp metrics`
is then run on each score column.

    model_quality.py VALIDATION_CSV TRUTH_CSV TRUTH_COLUMN OUT_CSV

Standard library only (the previous pandas version failed where `python3` was an interpreter
without pandas)."""
import csv
import random
import sys


def main() -> None:
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
