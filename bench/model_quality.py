#!/usr/bin/env python3
"""Joins a model's held-out scores (`upcamp train --validation-out`) with synth's truth.csv and
writes one table with three scores on the same rows: the model's, the oracle's (the generator's
true uplift) and a seeded random one. `upcamp metrics` is then run on each score column."""
import sys

import numpy as np
import pandas as pd

validation_path, truth_path, truth_column, out_path = sys.argv[1:5]
v = pd.read_csv(validation_path, dtype={"client_id": str})
t = pd.read_csv(truth_path, dtype={"client_id": str}, usecols=["client_id", truth_column])
joined = v.merge(t, on="client_id", how="left", validate="one_to_one")
if joined[truth_column].isna().any():
    sys.exit(f"{truth_path}: {joined[truth_column].isna().sum()} validation clients lack a truth row")
joined = joined.rename(columns={truth_column: "oracle"})
joined["random"] = np.random.default_rng(0).random(len(joined))
joined[["client_id", "treatment", "outcome", "score", "oracle", "random"]].to_csv(out_path, index=False)
