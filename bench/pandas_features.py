#!/usr/bin/python3
"""The straightforward pandas implementation a data scientist would write for the reference
feature config (PRODUCT.md §3):

    receipts_basic(60), receipts_basic(15), age_gender, unique_categories(level_3, 60)

from the raw CSV files of a catalog to a feature CSV. It is the comparator of
bench/features_vs_pandas.sh and the independent implementation that
tests/features/pandas_parity_test.sh checks upcamp's numbers against. Written from the spec,
not from upcamp's code.

Usage: pandas_features.py DATA_DIR DATE_TO OUT.csv [--config basic|full|parity]
  basic:  receipts_basic(60), age_gender            (no purchases table: quick)
  full:   the four calcers above (default)
  parity: every reference calcer (tests/features/configs/parity.yaml), for the parity test
"""
import sys
import time

import numpy as np
import pandas as pd

RECEIPT_DTYPES = {
    "client_id": str, "transaction_id": str, "regular_points_received": float,
    "express_points_received": float, "regular_points_spent": float,
    "express_points_spent": float, "purchase_sum": float, "store_id": str,
    "trn_sum_from_iss": float, "trn_sum_from_red": float,
}


def receipts_basic(receipts, date_to, delta):
    date_from = date_to - pd.Timedelta(days=delta)
    dt = receipts["transaction_datetime"]
    w = receipts[(dt >= date_from) & (dt < date_to)].copy()
    w["points_spent_flag"] = ((w["regular_points_spent"] + w["express_points_spent"]) < 0).astype(int)
    w["express_points_spent_flag"] = (w["express_points_spent"] < 0).astype(int)
    f = w.groupby("client_id").agg(
        transaction_id_count=("transaction_id", "count"),
        purchase_sum_sum=("purchase_sum", "sum"),
        purchase_sum_max=("purchase_sum", "max"),
        purchase_sum_min=("purchase_sum", "min"),
        purchase_sum_mean=("purchase_sum", "mean"),
        regular_points_spent_sum=("regular_points_spent", "sum"),
        regular_points_spent_max=("regular_points_spent", "max"),
        express_points_spent_sum=("express_points_spent", "sum"),
        express_points_spent_max=("express_points_spent", "max"),
        transaction_datetime_min=("transaction_datetime", "min"),
        transaction_datetime_max=("transaction_datetime", "max"),
        trn_sum_from_red_sum=("trn_sum_from_red", "sum"),
        trn_sum_from_red_max=("trn_sum_from_red", "max"),
        trn_sum_from_red_mean=("trn_sum_from_red", "mean"),
        points_spent_flag_sum=("points_spent_flag", "sum"),
        express_points_spent_flag_sum=("express_points_spent_flag", "sum"),
    )
    span_days = (f["transaction_datetime_max"] - f["transaction_datetime_min"]).dt.total_seconds() / 86400
    f["mean_time_interval"] = span_days / (f["transaction_id_count"] - 1)
    f["time_since_last"] = (date_to - f["transaction_datetime_max"]).dt.total_seconds() / 86400
    return f.rename(columns=lambda c: f"{c}__{delta}d")


def unique_categories(purchases, products, date_to, delta, col="level_3"):
    date_from = date_to - pd.Timedelta(days=delta)
    dt = purchases["transaction_datetime"]
    w = purchases[(dt >= date_from) & (dt < date_to)]
    w = w.merge(products[["product_id", col]], on="product_id", how="left")
    return w.groupby("client_id")[col].nunique().rename(f"unique_{col}__{delta}d").to_frame()


def day_of_week_receipts(receipts, date_to, delta):
    date_from = date_to - pd.Timedelta(days=delta)
    dt = receipts["transaction_datetime"]
    w = receipts[(dt >= date_from) & (dt < date_to)]
    f = w.groupby(["client_id", w["transaction_datetime"].dt.dayofweek]).size().unstack(fill_value=0)
    f = f.reindex(columns=range(7), fill_value=0)
    f.columns = [f"purchases_count_dw{d}__{delta}d" for d in range(7)]
    return f


def favourite_store(receipts, date_to, delta):
    date_from = date_to - pd.Timedelta(days=delta)
    dt = receipts["transaction_datetime"]
    w = receipts[(dt >= date_from) & (dt < date_to)]
    counts = w.groupby(["client_id", "store_id"]).size().rename("n").reset_index()
    # Most receipts first; ties broken by the larger store id.
    counts = counts.sort_values(["client_id", "n", "store_id"], ascending=[True, False, False])
    fav = counts.drop_duplicates("client_id").set_index("client_id")["store_id"]
    return fav.rename(f"favourite_store_id__{delta}d").to_frame()


def target_from_campaigns(campaigns, treatment_date):
    c = campaigns[campaigns["treatment_date"] == treatment_date]
    return c.set_index("client_id")[["treatment_flg", "target_purchases_sum",
                                     "target_purchases_count", "target_campaign_points_spent"]]


def parity(data, date_to, out):
    """Every reference calcer of PRODUCT.md §3, for the parity test (small data)."""
    receipts = pd.read_csv(f"{data}/receipts.csv", dtype=RECEIPT_DTYPES,
                           parse_dates=["transaction_datetime"])
    profile = pd.read_csv(f"{data}/client_profile.csv", dtype={"client_id": str, "gender": str})
    products = pd.read_csv(f"{data}/products.csv", dtype=str)
    purchases = pd.read_csv(f"{data}/purchases.csv", dtype={"client_id": str, "product_id": str},
                            usecols=["client_id", "transaction_datetime", "product_id"],
                            parse_dates=["transaction_datetime"])
    campaigns = pd.read_csv(f"{data}/campaigns.csv", dtype={"client_id": str},
                            parse_dates=["treatment_date"])
    parts = [receipts_basic(receipts, date_to, 30), receipts_basic(receipts, date_to, 7),
             profile.set_index("client_id")[["age", "gender"]],
             unique_categories(purchases, products, date_to, 30, "level_3"),
             unique_categories(purchases, products, date_to, 60, "level_2"),
             day_of_week_receipts(receipts, date_to, 30),
             favourite_store(receipts, date_to, 30),
             target_from_campaigns(campaigns, pd.Timestamp("2019-03-21"))]
    features = parts[0]
    for p in parts[1:]:
        features = features.join(p, how="outer")
    features.index.name = "client_id"
    features.reset_index().to_csv(out, index=False, date_format="%Y-%m-%d %H:%M:%S")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    data, date_to, out = sys.argv[1], pd.Timestamp(sys.argv[2]), sys.argv[3]
    config = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--config" else "full"
    t0 = time.time()
    if config == "parity":
        parity(data, date_to, out)
        return
    receipts = pd.read_csv(f"{data}/receipts.csv", dtype=RECEIPT_DTYPES,
                           usecols=["client_id", "transaction_id", "transaction_datetime",
                                    "purchase_sum", "regular_points_spent",
                                    "express_points_spent", "trn_sum_from_red"],
                           parse_dates=["transaction_datetime"])
    profile = pd.read_csv(f"{data}/client_profile.csv", dtype={"client_id": str, "gender": str},
                          usecols=["client_id", "age", "gender"])
    parts = [receipts_basic(receipts, date_to, 60)]
    if config == "full":
        parts.append(receipts_basic(receipts, date_to, 15))
    parts.append(profile.set_index("client_id")[["age", "gender"]])
    if config == "full":
        products = pd.read_csv(f"{data}/products.csv", dtype=str, usecols=["product_id", "level_3"])
        purchases = pd.read_csv(f"{data}/purchases.csv", dtype={"client_id": str, "product_id": str},
                                usecols=["client_id", "transaction_datetime", "product_id"],
                                parse_dates=["transaction_datetime"])
        parts.append(unique_categories(purchases, products, date_to, 60))
    features = parts[0]
    for p in parts[1:]:
        features = features.join(p, how="outer")
    features.index.name = "client_id"
    features.reset_index().to_csv(out, index=False, date_format="%Y-%m-%d %H:%M:%S")
    print(f"pandas_features: {len(features)} clients x {features.shape[1]} columns "
          f"in {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
