#!/usr/bin/python3
"""Reference values for tests/metrics/stat_tests_test.cc -> stat_tests_golden.json.

Provenance
----------
SciPy (Debian's python3-scipy, 1.10.1 when written; run with /usr/bin/python3 so Debian's numpy
and scipy are used) is the reference for the special functions and tests in
src/metrics/stat_tests.h:
  scipy.special.gammaln, betaln, gammainc, gammaincc, betainc
  scipy.stats.norm.cdf / sf / ppf, t.cdf / sf / ppf, chi2.sf
  scipy.stats.ttest_ind(a, b, equal_var=False)  (Welch: statistic, p-value)
  scipy.stats.chisquare(observed, expected)      (sample ratio mismatch)
SciPy 1.10's ttest_ind has no confidence interval, so the Welch df and interval are computed
here from the Welch-Satterthwaite formula and t.ppf; the statistic and p-value (which depend on
that df) come from scipy itself, so they check the formula too.

The C++ test reads only the JSON: the test suite does not need SciPy. Regenerate with
  /usr/bin/python3 tests/metrics/golden/make_stat_golden.py
(needs `apt-get install python3-scipy`). Sample data are drawn here with numpy's PCG64 and
stored in the JSON, so the C++ side does not depend on numpy's generator.
"""

import json
import os

import numpy as np
import scipy
from scipy import special, stats


def f(x):
    return float(x)


def main():
    out = {"scipy_version": scipy.__version__, "numpy_version": np.__version__}

    out["lgamma"] = [[x, f(special.gammaln(x))]
                     for x in [1e-300, 1e-5, 0.1, 0.5, 1, 1.5, 2, 2.5, 3.7, 9.99, 10, 10.5,
                               25.5, 171.3, 1e3, 1e6, 1e12]]
    out["lbeta"] = [[a, b, f(special.betaln(a, b))]
                    for a, b in [(0.5, 0.5), (1, 1), (2, 3), (0.5, 9.5), (0.5, 10), (0.5, 5e5),
                                 (3, 1e4), (10, 10), (25.5, 40), (1e3, 2e3), (1e6, 1e6),
                                 (1e-3, 1e6)]]

    gamma_cases = [(0.5, 0.01), (0.5, 2), (1, 1), (3, 2), (3, 10), (10, 5), (10, 30),
                   (100, 90), (100, 120), (1e4, 1e4 + 50), (1e4, 9e3), (0.01, 0.5),
                   (50, 1), (2, 60), (1.5, 700), (1e6, 1e6 - 3e3)]
    out["gamma"] = [[a, x, f(special.gammainc(a, x)), f(special.gammaincc(a, x))]
                    for a, x in gamma_cases]

    beta_cases = [(2, 3, 0.4), (0.5, 0.5, 0.1), (0.5, 0.5, 0.9), (1, 1, 0.3), (5e5, 0.5, 0.999996),
                  (5e5, 0.5, 0.99), (50, 60, 0.45), (1000, 1200, 0.5), (1e5, 1e5, 0.499),
                  (0.1, 10, 0.001), (10, 0.1, 0.999), (3, 7, 1e-6), (20, 20, 0.9),
                  (1.5, 2.5, 0.5)]
    out["beta"] = [[a, b, x, f(special.betainc(a, b, x)), f(special.betainc(b, a, 1 - x))]
                   for a, b, x in beta_cases]

    out["normal"] = [[z, f(stats.norm.cdf(z)), f(stats.norm.sf(z))]
                     for z in [-37, -20, -8, -3, -1.96, -0.5, 0, 0.25, 1, 1.6448536269514722,
                               4, 10]]
    out["normal_quantile"] = [[p, f(stats.norm.ppf(p))]
                              for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.05,
                                        0.3, 0.4999, 0.5001, 0.7, 0.975, 0.999, 1 - 1e-10]]

    dfs = [1, 2, 3, 5, 10, 29.5, 100, 1e3, 1e5, 1e7]
    ts = [-40, -5, -2, -0.5, 0, 0.3, 1.96, 3, 12]
    out["t_cdf"] = [[t, df, f(stats.t.cdf(t, df)), f(2 * stats.t.sf(abs(t), df))]
                    for df in dfs for t in ts]
    ps = [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.4, 0.6, 0.975, 0.995, 1 - 1e-6]
    out["t_quantile"] = [[p, df, f(stats.t.ppf(p, df))]
                         for df in [1, 2, 3, 4.5, 10, 29, 100, 1e4, 1e6] for p in ps]

    out["chi2_sf"] = [[x, df, f(stats.chi2.sf(x, df))]
                      for x, df in [(3.841458820694124, 1), (5.991464547107979, 2), (0.1, 2),
                                    (100, 2), (20, 5), (1000, 900), (50, 3), (0.5, 1),
                                    (13.815510557964274, 2), (1e-4, 4)]]

    rng = np.random.Generator(np.random.PCG64(20240611))
    welch = []
    for na, nb, ma, mb, sa, sb in [(12, 9, 1.0, 0.4, 1.0, 2.5), (40, 55, 0.0, 0.0, 1.0, 1.0),
                                   (5, 200, 10.0, 9.0, 3.0, 0.5), (300, 250, 0.21, 0.18, 0.4, 0.4)]:
        a = rng.normal(ma, sa, na).round(6)
        b = rng.normal(mb, sb, nb).round(6)
        res = stats.ttest_ind(a, b, equal_var=False)
        va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
        df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
        diff = a.mean() - b.mean()
        se = np.sqrt(va + vb)
        crit = stats.t.ppf(0.975, df)
        welch.append({"a": a.tolist(), "b": b.tolist(), "diff": f(diff), "se": f(se),
                      "df": f(df), "t": f(res.statistic), "p": f(res.pvalue),
                      "lower": f(diff - crit * se), "upper": f(diff + crit * se)})
    out["welch"] = welch

    srm = []
    for obs, exp in [([5000, 5000], [0.5, 0.5]), ([5100, 4900], [0.5, 0.5]),
                     ([5300, 4700], [1, 1]), ([1000, 4000, 5000], [0.1, 0.4, 0.5]),
                     ([1100, 4000, 4900], [0.1, 0.4, 0.5]), ([30, 70], [30, 70]),
                     ([20, 980], [0.01, 0.99])]:
        total = sum(obs)
        e = np.array(exp, dtype=float)
        e = e / e.sum() * total
        res = stats.chisquare(obs, e)
        srm.append({"observed": obs, "expected": exp, "chi_square": f(res.statistic),
                    "p": f(res.pvalue)})
    out["srm"] = srm

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stat_tests_golden.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
