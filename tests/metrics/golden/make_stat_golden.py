#!/usr/bin/python3
"""Reference values for tests/metrics/stat_tests_test.cc -> stat_tests_golden.json.

Provenance
----------
The reference is mpmath (Debian's python3-mpmath 1.2.1) at 50 or more significant digits:
loggamma, beta, gammainc (regularized, both tails), betainc (regularized; the side whose
hypergeometric series converges, or quadrature), ncdf, and the quantiles by findroot on those
CDFs. SciPy (Debian's python3-scipy 1.10.1) is run alongside as a cross-check and its largest
relative difference from mpmath is printed and stored: SciPy's cephes-based t quantile (stdtrit)
and t CDF at df >= 1e5, and betaln at large arguments, are only good to ~1e-9..1e-11, so SciPy
itself cannot be the golden reference at the 1e-12 level the C++ code reaches.
Welch: scipy.stats.ttest_ind(a, b, equal_var=False) gives the statistic and p-value (checked
against mpmath here); the df, interval and exact p-value come from the Welch-Satterthwaite
formula evaluated in mpmath. SRM: scipy.stats.chisquare, likewise checked.

The C++ test reads only the JSON: the test suite needs neither SciPy nor mpmath. Regenerate with
  /usr/bin/python3 tests/metrics/golden/make_stat_golden.py
(needs `apt-get install python3-scipy python3-mpmath`). Sample data are drawn here with numpy's
PCG64 and stored in the JSON, so the C++ side does not depend on numpy's generator.
"""

import json
import os

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats


mp.mp.dps = 60
SCIPY_DIFF = {}


def f(x):
    return float(x)


def note(kind, ref, sp):
    """Track SciPy's largest relative difference from the mpmath reference."""
    ref = float(ref)
    if ref != 0 and np.isfinite(sp):
        SCIPY_DIFF[kind] = max(SCIPY_DIFF.get(kind, 0.0), abs(sp - ref) / abs(ref))
    return ref


def betainc_ref(a, b, x):
    """I_x(a, b) and 1 - I_x(a, b) (x a double, used exactly), to 50+ digits."""
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    y = 1 - x
    with mp.workdps(80):
        for lower_first in (x < (a + 1) / (a + b + 2), not x < (a + 1) / (a + b + 2)):
            try:
                if lower_first:
                    lo = mp.betainc(a, b, 0, x, regularized=True)
                    return lo, 1 - lo
                up = mp.betainc(b, a, 0, y, regularized=True)
                return 1 - up, up
            except (mp.libmp.libhyper.NoConvergence, ValueError):
                pass
        # Both series too slow (a, b both large): integrate the density around its mode.
        lb = mp.log(mp.beta(a, b))
        dens = lambda t: mp.exp((a - 1) * mp.log(t) + (b - 1) * mp.log(1 - t) - lb)
        mode = (a - 1) / (a + b - 2)
        width = mp.sqrt(a * b / (a + b) ** 3)
        pts = sorted({mp.mpf(0), x} | {mode + k * width for k in range(-40, 41)
                                      if 0 < mode + k * width < x})
        lo = mp.quad(dens, pts)
        return lo, 1 - lo


def t_lower_tail_ref(t, df):
    """P(T <= -|t|), to 50+ digits."""
    t, df = mp.mpf(abs(t)), mp.mpf(df)
    if t == 0:
        return mp.mpf(0.5)
    x = df / (df + t * t)
    with mp.workdps(400):  # 1 - (series) stays exact for tails down to 1e-350
        try:
            return (1 - mp.betainc(mp.mpf(0.5), df / 2, 0, t * t / (df + t * t),
                                   regularized=True)) / 2
        except (mp.libmp.libhyper.NoConvergence, ValueError):
            return mp.betainc(df / 2, mp.mpf(0.5), 0, x, regularized=True) / 2


def t_cdf_ref(t, df):
    tail = t_lower_tail_ref(t, df)
    return tail if t < 0 else 1 - tail


def t_quantile_ref(p, df, start):
    q = min(p, 1 - p)
    with mp.workdps(60):
        root = mp.findroot(lambda t: t_cdf_ref(t, df) - mp.mpf(q), mp.mpf(-abs(start)))
    return root if p < 0.5 else -root


def norm_quantile_ref(p, start):
    return mp.findroot(lambda z: mp.ncdf(z) - mp.mpf(p), mp.mpf(start))


def main():
    out = {"scipy_version": scipy.__version__, "numpy_version": np.__version__,
           "mpmath_version": mp.__version__}

    out["lgamma"] = [[x, note("lgamma", mp.loggamma(mp.mpf(x)), special.gammaln(x))]
                     for x in [1e-300, 1e-5, 0.1, 0.5, 1, 1.5, 2, 2.5, 3.7, 9.99, 10, 10.5,
                               25.5, 171.3, 1e3, 1e6, 1e12]]
    out["lbeta"] = [[a, b, note("lbeta", mp.log(mp.beta(mp.mpf(a), mp.mpf(b))),
                                special.betaln(a, b))]
                    for a, b in [(0.5, 0.5), (1, 1), (2, 3), (0.5, 9.5), (0.5, 10), (0.5, 5e5),
                                 (3, 1e4), (10, 10), (25.5, 40), (1e3, 2e3), (1e6, 1e6),
                                 (1e-3, 1e6)]]

    gamma_cases = [(0.5, 0.01), (0.5, 2), (1, 1), (3, 2), (3, 10), (10, 5), (10, 30),
                   (100, 90), (100, 120), (1e4, 1e4 + 50), (1e4, 9e3), (0.01, 0.5),
                   (50, 1), (2, 60), (1.5, 700), (1e6, 1e6 - 3e3)]
    out["gamma"] = []
    for a, x in gamma_cases:
        pa = mp.gammainc(mp.mpf(a), 0, mp.mpf(x), regularized=True)
        qa = mp.gammainc(mp.mpf(a), mp.mpf(x), mp.inf, regularized=True)
        out["gamma"].append([a, x, note("gammainc", pa, special.gammainc(a, x)),
                             note("gammaincc", qa, special.gammaincc(a, x))])

    beta_cases = [(2, 3, 0.4), (0.5, 0.5, 0.1), (0.5, 0.5, 0.9), (1, 1, 0.3), (5e5, 0.5, 0.999996),
                  (5e5, 0.5, 0.99), (50, 60, 0.45), (1000, 1200, 0.5), (1e4, 1e4, 0.499),
                  (0.1, 10, 0.001), (10, 0.1, 0.999), (3, 7, 1e-6), (20, 20, 0.9),
                  (1.5, 2.5, 0.5)]
    out["beta"] = []
    for a, b, x in beta_cases:
        lo, up = betainc_ref(a, b, x)
        out["beta"].append([a, b, x, note("betainc", lo, special.betainc(a, b, x)), float(up)])

    out["normal"] = [[z, note("norm.cdf", mp.ncdf(z), stats.norm.cdf(z)),
                      note("norm.sf", mp.ncdf(-z), stats.norm.sf(z))]
                     for z in [-37, -20, -8, -3, -1.96, -0.5, 0, 0.25, 1, 1.6448536269514722,
                               4, 10]]
    out["normal_quantile"] = [[p, note("norm.ppf", norm_quantile_ref(p, stats.norm.ppf(p)),
                                       stats.norm.ppf(p))]
                              for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.05,
                                        0.3, 0.4999, 0.5001, 0.7, 0.975, 0.999, 1 - 1e-10]]

    dfs = [1, 2, 3, 5, 10, 29.5, 100, 1e3, 1e5, 1e7]
    ts = [-40, -5, -2, -0.5, 0, 0.3, 1.96, 3, 12]
    out["t_cdf"] = []
    for df in dfs:
        for t in ts:
            tail = t_lower_tail_ref(t, df)
            out["t_cdf"].append([t, df, note("t.cdf", t_cdf_ref(t, df), stats.t.cdf(t, df)),
                                 note("t.sf*2", 2 * tail, 2 * stats.t.sf(abs(t), df))])
    ps = [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.4, 0.6, 0.975, 0.995, 1 - 1e-6]
    out["t_quantile"] = []
    for df in [1, 2, 3, 4.5, 10, 29, 100, 1e4, 1e6]:
        for p in ps:
            sp = stats.t.ppf(p, df)
            out["t_quantile"].append([p, df, note("t.ppf", t_quantile_ref(p, df, sp), sp)])

    out["chi2_sf"] = [[x, df, note("chi2.sf", mp.gammainc(mp.mpf(df) / 2, mp.mpf(x) / 2, mp.inf,
                                                          regularized=True),
                                   stats.chi2.sf(x, df))]
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
        ma, mb = mp.fsum(map(mp.mpf, a)) / na, mp.fsum(map(mp.mpf, b)) / nb
        va = mp.fsum((mp.mpf(v) - ma) ** 2 for v in a) / (na - 1) / na
        vb = mp.fsum((mp.mpf(v) - mb) ** 2 for v in b) / (nb - 1) / nb
        df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
        diff = ma - mb
        se = mp.sqrt(va + vb)
        tstat = diff / se
        crit = t_quantile_ref(0.975, df, stats.t.ppf(0.975, float(df)))
        welch.append({"a": a.tolist(), "b": b.tolist(), "diff": f(diff), "se": f(se),
                      "df": f(df), "t": note("ttest_ind.statistic", tstat, res.statistic),
                      "p": note("ttest_ind.pvalue", 2 * t_lower_tail_ref(tstat, df), res.pvalue),
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
        em = [mp.mpf(v) / mp.fsum(map(mp.mpf, exp)) * total for v in exp]
        chi = mp.fsum((o - ev) ** 2 / ev for o, ev in zip(obs, em))
        p = mp.gammainc(mp.mpf(len(obs) - 1) / 2, chi / 2, mp.inf, regularized=True)
        srm.append({"observed": obs, "expected": exp,
                    "chi_square": note("chisquare.statistic", chi, res.statistic),
                    "p": note("chisquare.pvalue", p, res.pvalue)})
    out["srm"] = srm

    out["scipy_max_relative_difference_from_mpmath"] = SCIPY_DIFF
    for kind, diff in sorted(SCIPY_DIFF.items()):
        print(f"scipy vs mpmath, {kind}: {diff:.2g}")

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stat_tests_golden.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
