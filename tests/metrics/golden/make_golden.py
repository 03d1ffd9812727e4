#!/usr/bin/python3
"""Reference values for tests/metrics/golden_test.cc -> metrics_golden.json.

Provenance
----------
scikit-uplift (sklift) is not installable here (no PyPI access; Debian has no python3-sklift
package: `apt-cache policy python3-sklift` shows none). This script is therefore an independent
numpy re-implementation of the definitions in sklift/metrics/metrics.py (maks-sh/scikit-uplift,
master as of the 0.5.x releases: uplift_curve, perfect_uplift_curve, uplift_auc_score,
qini_curve, perfect_qini_curve, qini_auc_score, uplift_at_k, response_rate_by_percentile,
weighted_average_uplift, uplift_by_percentile, treatment_balance_curve), written from reading
those definitions, not copied. It uses the same numpy primitives whose edge semantics matter:
  - ranking: np.argsort(score, kind="mergesort")[::-1]  (ties: later row first)
  - curve points: np.diff(sorted score) != 0 plus the last row; a point (0, 0) prepended
  - cumulative sums in float64, left to right (sklearn's stable_cumsum)
  - areas: trapezoids (sklearn.metrics.auc, which refuses non-monotone x)
  - bins: np.array_split; k: int(n * k); balance: np.convolve(..., 'valid') and np.linspace
Where sklift yields NaN (empty group in a slice or bin) or raises, the JSON holds null and the
C++ side must report the value as undefined.

Beyond sklift (marked "extension" in the JSON): sklift rejects non-0/1 outcomes; for them we
define the response rate as the mean outcome and its variance as population variance / n (which
equals sklift's p(1-p)/n on 0/1 data). The "total" row's std is the whole-sample std (sklift
prints the sum of the per-bin stds there).

Inputs: synthetic cases drawn here with numpy's PCG64 (seeds below; the arrays are stored in the
JSON, so the C++ test does not depend on numpy's generator), and the real data in
../../../../shared/data/lenta_subset.csv (pseudo-scores food_share_15d and is_women; the latter
has only two distinct values, so every cut goes through a block of ties).

Regenerate (Debian python3-numpy 1.24, python3-pandas 1.5):
    /usr/bin/python3 tests/metrics/golden/make_golden.py
and commit metrics_golden.json together with any change to this script.
"""

import json
import math
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
LENTA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data",
                                      "lenta_subset.csv"))
OUT = os.path.join(HERE, "metrics_golden.json")


# ----------------------------------------------------------------------------- definitions

class Undefined(Exception):
    """sklift raises or returns NaN here."""


def is_binary(a):
    u = np.unique(a)
    return u.size == 2 and u[0] == 0 and u[1] == 1


def rank(score):
    return np.argsort(score, kind="mergesort")[::-1]


def safe_div(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b != 0)


def curve(y, score, t, kind):
    o = rank(score)
    y, s, t = y[o].astype(float), score[o], t[o].astype(float)
    ends = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    nt = np.cumsum(t)[ends]
    yt = np.cumsum(np.where(t == 1, y, 0.0))[ends]
    yc = np.cumsum(np.where(t == 0, y, 0.0))[ends]
    n = (ends + 1).astype(float)
    nc = n - nt
    if kind == "uplift":
        v = (safe_div(yt, nt) - safe_div(yc, nc)) * n
    else:
        v = yt - yc * safe_div(nt, nc)
    return np.r_[0.0, n], np.r_[0.0, v]


def auc(x, v):
    dx = np.diff(x)
    if np.any(dx < 0) and not np.all(dx <= 0):
        raise Undefined("x is neither increasing nor decreasing")
    return float(np.sum(dx * (v[1:] + v[:-1]) / 2.0))


def require_binary(y, t):
    if not is_binary(t):
        raise Undefined("treatment is not 0/1 with both groups")
    if not is_binary(y):
        raise Undefined("outcome is not 0/1 with both values")


def perfect_uplift(y, t):
    require_binary(y, t)
    cr = np.sum((y == 1) & (t == 0))
    tn = np.sum((y == 0) & (t == 1))
    oracle = 2 * (y == t) + (y if cr > tn else t)
    return curve(y, oracle.astype(float), t, "uplift")


def perfect_qini(y, t, negative_effect):
    require_binary(y, t)
    if negative_effect:
        return curve(y, (y * t - y * (1 - t)).astype(float), t, "qini")
    r = y[t == 1].sum() - len(y[t == 1]) * y[t == 0].sum() / len(y[t == 0])
    return np.array([0.0, r, float(len(y))]), np.array([0.0, r, r])


def normalized(actual, perfect):
    xp, vp = perfect
    base = auc(np.array([0.0, xp[-1]]), np.array([0.0, vp[-1]]))
    denom = auc(xp, vp) - base
    if denom == 0:
        raise Undefined("perfect area equals random area")
    return (auc(*actual) - base) / denom


def uplift_auc(y, s, t):
    require_binary(y, t)
    return normalized(curve(y, s, t, "uplift"), perfect_uplift(y, t))


def qini_auc(y, s, t, negative_effect):
    require_binary(y, t)
    return normalized(curve(y, s, t, "qini"), perfect_qini(y, t, negative_effect))


def uplift_at_k(y, s, t, k, strategy):
    o = rank(s)
    y, t = y[o].astype(float), t[o]
    n = len(y)
    if isinstance(k, int):
        if k <= 0 or k >= n:
            raise Undefined("k out of range")
    elif not 0 < k < 1:
        raise Undefined("k out of range")
    if strategy == "overall":
        m = k if isinstance(k, int) else int(n * k)
        yt, yc = y[:m][t[:m] == 1], y[:m][t[:m] == 0]
    else:
        m_c = k if isinstance(k, int) else int((t == 0).sum() * k)
        m_t = k if isinstance(k, int) else int((t == 1).sum() * k)
        if m_c > (t == 0).sum() or m_t > (t == 1).sum():
            raise Undefined("k exceeds a group")
        yt, yc = y[t == 1][:m_t], y[t == 0][:m_c]
    if yt.size == 0 or yc.size == 0:
        raise Undefined("empty group in the top k")
    return float(yt.mean() - yc.mean())


def bin_stats(pieces, binary):
    n = np.array([len(p) for p in pieces])
    rate, var = [], []
    for p in pieces:
        if len(p) == 0:
            rate.append(math.nan)
            var.append(math.nan)
            continue
        r = float(np.mean(p))
        rate.append(r)
        var.append(r * ((1 - r) / len(p)) if binary else float(np.mean((p - r) ** 2)) / len(p))
    return n, np.array(rate), np.array(var)


def response_rate_by_percentile(y, s, t, group, strategy, bins):
    if not (isinstance(bins, int) and 0 < bins < len(y)):
        raise Undefined("bad bins")
    o = rank(s)
    y, t = y[o].astype(float), t[o]
    flag = 1 if group == "treatment" else 0
    binary = bool(np.all((y == 0) | (y == 1)))
    if strategy == "overall":
        pieces = [yb[tb == flag] for yb, tb in zip(np.array_split(y, bins), np.array_split(t, bins))]
    else:
        pieces = np.array_split(y[t == flag], bins)
    return bin_stats(pieces, binary)


def percentile_labels(bins):
    p = [round(b * 100 / bins) for b in range(1, bins + 1)]
    return [f"0-{p[0]}"] + [f"{p[i]}-{p[i + 1]}" for i in range(len(p) - 1)]


def nan_to_none(v):
    v = float(v)
    return None if math.isnan(v) else v


def uplift_by_percentile(y, s, t, strategy, bins):
    nt, rt, vt = response_rate_by_percentile(y, s, t, "treatment", strategy, bins)
    nc, rc, vc = response_rate_by_percentile(y, s, t, "control", strategy, bins)
    rows = []
    for b, label in enumerate(percentile_labels(bins)):
        rows.append({
            "percentile": label, "n_treatment": int(nt[b]), "n_control": int(nc[b]),
            "response_rate_treatment": nan_to_none(rt[b]),
            "response_rate_control": nan_to_none(rc[b]),
            "uplift": nan_to_none(rt[b] - rc[b]),
            "std_treatment": nan_to_none(np.sqrt(vt[b])),
            "std_control": nan_to_none(np.sqrt(vc[b])),
            "std_uplift": nan_to_none(np.sqrt(vt[b] + vc[b])),
        })
    tt = response_rate_by_percentile(y, s, t, "treatment", strategy, 1)
    tc = response_rate_by_percentile(y, s, t, "control", strategy, 1)
    total = {
        "n_treatment": int(tt[0][0]), "n_control": int(tc[0][0]),
        "response_rate_treatment": float(tt[1][0]), "response_rate_control": float(tc[1][0]),
        "uplift": float(tt[1][0] - tc[1][0]),
        "std_uplift_extension": float(np.sqrt(tt[2][0] + tc[2][0])),
    }
    return rows, total


def weighted_average_uplift(y, s, t, strategy, bins):
    nt, rt, _ = response_rate_by_percentile(y, s, t, "treatment", strategy, bins)
    _, rc, _ = response_rate_by_percentile(y, s, t, "control", strategy, bins)
    v = float(np.dot(nt, rt - rc) / np.sum(nt))
    if math.isnan(v):
        raise Undefined("a bin lacks a group")
    return v


def treatment_balance(s, t, window):
    o = rank(s)
    balance = np.convolve(t[o].astype(float), np.ones(window), "valid") / window
    return np.linspace(1, 100, len(balance)), balance


# ----------------------------------------------------------------------------- output

def attempt(fn, *args):
    try:
        v = fn(*args)
        return None if (isinstance(v, float) and math.isnan(v)) else v
    except Undefined:
        return None


def curve_json(c, full):
    x, v = c
    out = {"points": int(len(x)), "area": auc(x, v), "last": [float(x[-1]), float(v[-1])]}
    if full:
        out["n"] = [float(a) for a in x]
        out["value"] = [float(a) for a in v]
    else:  # every 50th point and the last, as [index, n, value]
        idx = sorted(set(range(0, len(x), 50)) | {len(x) - 1})
        out["sampled"] = [[i, float(x[i]), float(v[i])] for i in idx]
    return out


def case(name, y, s, t, full, note=""):
    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    t = np.asarray(t, dtype=np.int64)
    binary = bool(is_binary(y))
    n = len(y)
    c = {"name": name, "note": note, "binary": binary, "rows": n}
    if full:
        c["score"], c["treatment"], c["outcome"] = s.tolist(), t.tolist(), y.tolist()
        c["ranking"] = [int(i) for i in rank(s)]
    c["uplift_curve"] = curve_json(curve(y, s, t, "uplift"), full)
    c["qini_curve"] = curve_json(curve(y, s, t, "qini"), full)
    if binary:
        c["perfect_uplift_curve"] = curve_json(perfect_uplift(y, t), True)
        c["perfect_qini_curve"] = curve_json(perfect_qini(y, t, True), True)
        pq = attempt(lambda: curve_json(perfect_qini(y, t, False), True))
        c["perfect_qini_curve_no_negative"] = pq
    c["uplift_auc"] = attempt(uplift_auc, y, s, t)
    c["qini_auc"] = attempt(qini_auc, y, s, t, True)
    c["qini_auc_no_negative"] = attempt(qini_auc, y, s, t, False)
    c["uplift_at_k"] = []
    for k in [0.05, 0.1, 0.3, 0.5, 0.77, 5, 60]:
        for strategy in ["overall", "by_group"]:
            c["uplift_at_k"].append({"k": k, "is_count": isinstance(k, int), "strategy": strategy,
                                     "value": attempt(uplift_at_k, y, s, t, k, strategy)})
    c["percentiles"] = []
    for bins in [10, 7, 8, 3]:
        for strategy in ["overall", "by_group"]:
            if bins >= n:  # sklift: "Number of bins should be smaller than the length"
                c["percentiles"].append({"bins": bins, "strategy": strategy, "rows": None})
                continue
            rows, total = uplift_by_percentile(y, s, t, strategy, bins)
            c["percentiles"].append({
                "bins": bins, "strategy": strategy, "rows": rows, "total": total,
                "weighted_average_uplift": attempt(weighted_average_uplift, y, s, t, strategy,
                                                   bins)})
    c["balance"] = []
    for window in sorted({max(1, int(n * 0.1)), 7}):
        x, b = treatment_balance(s, t, window)
        entry = {"window": window, "points": int(len(x))}
        if full:
            entry["percentile"] = x.tolist()
            entry["treated_share"] = b.tolist()
        else:
            idx = sorted(set(range(0, len(x), 97)) | {len(x) - 1})
            entry["sampled"] = [[i, float(x[i]), float(b[i])] for i in idx]
        c["balance"].append(entry)
    return c


def main():
    cases = []
    # A small hand-checkable case with ties (also worked by hand in curves_test.cc).
    cases.append(case("hand_ties",
                      y=[1, 0, 1, 0, 1, 0, 0, 1],
                      s=[0.9, 0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1],
                      t=[1, 1, 0, 0, 0, 1, 0, 0], full=True))

    rng = np.random.Generator(np.random.PCG64(20240611))
    n = 1000
    s = np.round(rng.uniform(size=n), 1)
    t = (rng.uniform(size=n) < 0.6).astype(int)
    y = (rng.uniform(size=n) < 0.15 + 0.1 * t * s).astype(int)
    cases.append(case("ties_binary", y, s, t, True, "11 distinct scores"))

    n = 997
    s = rng.normal(size=n)
    t = (rng.uniform(size=n) < 0.5).astype(int)
    y = (rng.uniform(size=n) < 0.2 + 0.1 * t * (s > 0)).astype(int)
    cases.append(case("distinct_binary", y, s, t, True, "all scores distinct"))

    n = 300
    s = rng.integers(0, 3, size=n).astype(float)
    t = (rng.uniform(size=n) < 0.5).astype(int)
    y = (rng.uniform(size=n) < 0.3).astype(int)
    cases.append(case("heavy_ties", y, s, t, True, "3 distinct scores: cuts inside tie blocks"))

    n = 400
    s = rng.uniform(size=n)
    t = (rng.uniform(size=n) < 0.5).astype(int)
    y = (rng.uniform(size=n) < 0.4 - 0.2 * t).astype(int)
    cases.append(case("negative_effect", y, s, t, True,
                      "overall Qini < 0: qini_auc without negative effects undefined"))

    n = 40
    s = rng.uniform(size=n)
    t = (rng.uniform(size=n) < 0.88).astype(int)
    y = (rng.uniform(size=n) < 0.5).astype(int)
    cases.append(case("sparse_control", y, s, t, True,
                      "few control rows: empty bins and top-k slices"))

    n = 500
    s = np.round(rng.normal(size=n), 1)
    t = (rng.uniform(size=n) < 0.5).astype(int)
    y = np.round(rng.lognormal(mean=1.0, sigma=1.0, size=n) + 0.5 * t * (s > 0), 3)
    cases.append(case("continuous", y, s, t, True,
                      "extension: non-binary outcome (sklift rejects it)"))

    lenta = pd.read_csv(LENTA)
    y = lenta["response_att"].to_numpy()
    t = lenta["is_treatment"].to_numpy()
    cases.append(case("lenta_food_share_15d", y, lenta["food_share_15d"].to_numpy(), t, False,
                      "lenta_subset.csv, score = food_share_15d"))
    cases.append(case("lenta_is_women", y, lenta["is_women"].to_numpy().astype(float), t, False,
                      "lenta_subset.csv, score = is_women (two distinct values)"))

    meta = {"generator": "tests/metrics/golden/make_golden.py", "numpy": np.__version__,
            "pandas": pd.__version__, "python": sys.version.split()[0]}
    with open(OUT, "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
