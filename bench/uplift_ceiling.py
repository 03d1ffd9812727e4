#!/usr/bin/env python3
"""How well can ANY model rank by true uplift from these features? (a diagnostic for
bench/model_quality.sh)

Fits scikit-learn's HistGradientBoostingRegressor to the generator's TRUE uplift (a noiseless
target no uplift learner ever sees: they only see one noisy outcome per client, under one arm) on
the training rows, predicts the held-out rows, and appends the prediction as column `ceiling` to
model_quality.py's joined table. Its Qini approximates the best ranking achievable from the
model inputs, E[true uplift | features]; the gap between it and the oracle (the true uplift
itself) is information the features do not carry, not a learner's fault.

    uplift_ceiling.py FEATURES_CSV TRUTH_CSV TRUTH_COLUMN JOINED_CSV OUT_CSV

FEATURES_CSV: the training run's features table (`upcamp table export
RUNS/RUN/stages/features/table.ucol`); the numeric columns are used, the target calcer's are
dropped. Needs Debian's python3-pandas and python3-sklearn."""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

TARGET_COLUMNS = {"treatment_flg", "target_purchases_sum", "target_purchases_count",
                  "target_campaign_points_spent"}


def main() -> None:
    features_path, truth_path, truth_column, joined_path, out_path = sys.argv[1:6]
    features = pd.read_csv(features_path, dtype={"client_id": str}, low_memory=False)
    truth = pd.read_csv(truth_path, dtype={"client_id": str}, usecols=["client_id", truth_column])
    joined = pd.read_csv(joined_path, dtype={"client_id": str})
    data = features.merge(truth, on="client_id", how="inner", validate="one_to_one")
    columns = [c for c in data.columns
               if c not in TARGET_COLUMNS and c not in ("client_id", truth_column)
               and pd.api.types.is_numeric_dtype(data[c])]
    held = data["client_id"].isin(set(joined["client_id"]))
    train = data[~held]
    model = HistGradientBoostingRegressor(max_iter=300, learning_rate=0.1, max_leaf_nodes=31,
                                          min_samples_leaf=100, random_state=0)
    model.fit(train[columns].to_numpy(dtype=np.float64), train[truth_column].to_numpy())
    test = data[held].set_index("client_id").loc[joined["client_id"]]
    joined["ceiling"] = model.predict(test[columns].to_numpy(dtype=np.float64))
    corr = np.corrcoef(joined["ceiling"], joined["oracle"])[0, 1]
    print(f"ceiling: {len(columns)} feature columns, {len(train)} training rows, "
          f"{len(joined)} held-out rows, correlation with the true uplift {corr:.3f}",
          file=sys.stderr)
    joined.to_csv(out_path, index=False)


if __name__ == "__main__":
    main()
