#!/usr/bin/python3
"""pandas read_csv on the receipts table with the same column types upcamp's csv_read_bench
declares: strings as str, the points and sums as float64, transaction_datetime parsed as a
datetime (parse_dates, with the explicit format pandas would otherwise have to guess).

Usage: pandas_read_csv.py FILE [--repeat K]

Prints each run's time, then one line for scripts:
    RESULT tool=pandas threads=1 median_s=... mb_per_s=... rows=... peak_rss_mb=... cpu_s=...
peak_rss_mb is this process's max RSS (getrusage), after all runs; cpu_s the median CPU seconds
(user + system) of a run. Run it with Debian's
/usr/bin/python3, which has python3-pandas.
"""
import os
import resource
import statistics
import sys
import time

import pandas as pd

DTYPES = {
    "client_id": str, "transaction_id": str, "store_id": str, "product_id": str,
    "regular_points_received": "float64", "express_points_received": "float64",
    "regular_points_spent": "float64", "express_points_spent": "float64",
    "purchase_sum": "float64", "trn_sum_from_iss": "float64", "trn_sum_from_red": "float64",
    "product_quantity": "float64",
}


def read(path):
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {c: t for c, t in DTYPES.items() if c in header}
    dates = [c for c in ("transaction_datetime",) if c in header]
    df = pd.read_csv(path, dtype=dtypes, parse_dates=dates)
    for c in dates:  # what parse_dates alone leaves as object if it could not infer a format
        if df[c].dtype == object:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d %H:%M:%S")
    return df


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    size_mb = os.path.getsize(path) / 1e6
    times = []
    cpu_times = []
    rows = 0
    for r in range(repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        df = read(path)
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
        rows = len(df)
        print(f"run {r + 1}: {times[-1]:.3f} s, {size_mb / times[-1]:.0f} MB/s", file=sys.stderr)
        del df
    median = statistics.median(times)
    cpu = statistics.median(cpu_times)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"file: {path} ({size_mb:.1f} MB, {rows} rows)")
    print(f"pandas {pd.__version__}, {repeat} runs: median {median:.3f} s, "
          f"{size_mb / median:.0f} MB/s, {rows / median / 1e6:.2f}M rows/s, peak RSS {rss_mb:.0f} MB")
    print(f"RESULT tool=pandas threads=1 median_s={median:.4f} mb_per_s={size_mb / median:.1f} "
          f"rows={rows} peak_rss_mb={rss_mb:.0f} cpu_s={cpu:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
