// Special functions, Welch's test, the sample-ratio-mismatch test and the mean-difference
// bootstrap: against mpmath and SciPy (golden/make_stat_golden.py ->
// golden/stat_tests_golden.json), against
// published table values and hand-worked examples, and by invariants and coverage simulations.

#include "metrics/stat_tests.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <vector>

#include "core/random.h"
#include "metrics_testing.h"

namespace upcamp::metrics {
namespace {

using nlohmann::json;
using testing::Near;

const json& Golden() {
  static const json golden = [] {
    std::ifstream in(UPCAMP_SOURCE_DIR "/tests/metrics/golden/stat_tests_golden.json");
    EXPECT_TRUE(in.good()) << "missing golden file; run tests/metrics/golden/make_stat_golden.py";
    return in.good() ? json::parse(in) : json::object();
  }();
  return golden;
}

/// Purely relative closeness (tail probabilities can be 1e-100; absolute tolerance is useless).
::testing::AssertionResult RelNear(double got, double want, double tol) {
  if (got == want || std::fabs(got - want) <= tol * std::fabs(want)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << got << ", want " << want << " (rel diff " << (got - want) / want << ")";
}

Context Threads(int n) {
  Context ctx;
  ctx.threads = n;
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Special functions against mpmath (50+ digits; SciPy is a cross-check in the generator)

TEST(StatSpecial, LogGammaAndLogBetaMatchReference) {
  for (const auto& c : Golden()["lgamma"]) {
    const double x = c[0], want = c[1];
    // Near 1 and 2 ln Γ is ~0: an absolute bound there, relative elsewhere.
    EXPECT_TRUE(Near(LogGamma(x), want, 1e-14)) << "x=" << x;
    EXPECT_TRUE(RelNear(LogGamma(x), want, 1e-14) || std::fabs(want) < 1) << "x=" << x;
  }
  for (const auto& c : Golden()["lbeta"]) {
    const double a = c[0], b = c[1], want = c[2];
    EXPECT_TRUE(Near(LogBeta(a, b), want, 1e-13)) << "a=" << a << " b=" << b;
    EXPECT_EQ(LogBeta(a, b), LogBeta(b, a));
  }
}

TEST(StatSpecial, IncompleteGammaMatchesReferenceInBothTails) {
  for (const auto& c : Golden()["gamma"]) {
    const double a = c[0], x = c[1], p = c[2], q = c[3];
    // The smaller of P and Q is computed directly and must be relatively accurate; the larger is
    // 1 minus it.
    EXPECT_TRUE(RelNear(RegularizedGammaP(a, x), p, p < 0.5 ? 1e-12 : 1e-14)) << a << " " << x;
    EXPECT_TRUE(RelNear(RegularizedGammaQ(a, x), q, q < 0.5 ? 1e-12 : 1e-14)) << a << " " << x;
  }
}

TEST(StatSpecial, IncompleteBetaMatchesReferenceAndItsComplement) {
  for (const auto& c : Golden()["beta"]) {
    const double a = c[0], b = c[1], x = c[2], lower = c[3], upper = c[4];
    EXPECT_TRUE(RelNear(RegularizedBeta(x, a, b), lower, 1e-12)) << a << " " << b << " " << x;
    EXPECT_TRUE(RelNear(RegularizedBeta(1 - x, b, a), upper, 1e-12)) << a << " " << b << " " << x;
  }
}

TEST(StatSpecial, NormalMatchesReference) {
  for (const auto& c : Golden()["normal"]) {
    const double z = c[0];
    // std::erfc (glibc) is good to ~1e-13 relative deep in the tail (z = −37: 1e-300).
    EXPECT_TRUE(RelNear(NormalCdf(z), c[1], 1e-12)) << z;
    EXPECT_TRUE(RelNear(NormalSf(z), c[2], 1e-12)) << z;
  }
  for (const auto& c : Golden()["normal_quantile"]) {
    const double p = c[0];
    EXPECT_TRUE(RelNear(NormalQuantile(p), c[1], 1e-14)) << p;
  }
}

TEST(StatSpecial, StudentTMatchesReference) {
  for (const auto& c : Golden()["t_cdf"]) {
    const double t = c[0], df = c[1], cdf = c[2], p2 = c[3];
    // At df = 1e7 the deep tails (|t| >= 5) come from a continued fraction that is
    // ill-conditioned there (docs/metrics.md): 1e-10 relative.
    const double tol = df >= 1e7 ? 1e-10 : 1e-12;
    EXPECT_TRUE(RelNear(StudentTCdf(t, df), cdf, tol)) << "t=" << t << " df=" << df;
    EXPECT_TRUE(RelNear(StudentTTwoSidedP(t, df), p2, tol)) << "t=" << t << " df=" << df;
  }
  for (const auto& c : Golden()["t_quantile"]) {
    const double p = c[0], df = c[1], want = c[2];
    EXPECT_TRUE(RelNear(StudentTQuantile(p, df), want, 1e-12)) << "p=" << p << " df=" << df;
  }
}

TEST(StatSpecial, ChiSquareMatchesReference) {
  for (const auto& c : Golden()["chi2_sf"]) {
    const double x = c[0], df = c[1];
    EXPECT_TRUE(RelNear(ChiSquareSf(x, df), c[2], 1e-12)) << "x=" << x << " df=" << df;
  }
}

// ---------------------------------------------------------------------------------------------
// Special functions against published tables and closed forms

TEST(StatSpecial, TQuantilesMatchPrintedTables) {
  // Two-sided 95% critical values as printed in every t table (3 decimals).
  const std::vector<std::pair<double, double>> table = {{1, 12.706}, {2, 4.303},  {3, 3.182},
                                                        {5, 2.571},  {10, 2.228}, {20, 2.086},
                                                        {30, 2.042}, {60, 2.000}, {120, 1.980}};
  for (const auto& [df, crit] : table) {
    EXPECT_NEAR(StudentTQuantile(0.975, df), crit, 5e-4) << df;
    EXPECT_NEAR(StudentTCdf(crit, df), 0.975, 1e-4) << df;
  }
  // df = ∞ is the normal; very large df is the normal to O(1/df).
  EXPECT_EQ(StudentTQuantile(0.975, std::numeric_limits<double>::infinity()),
            NormalQuantile(0.975));
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(StudentTQuantile(0.975, 1e9), 1.959963984540054, 1e-8);
  EXPECT_NEAR(StudentTCdf(1.96, 1e9), NormalCdf(1.96), 1e-9);
  EXPECT_NEAR(StudentTTwoSidedP(1.959963984540054, 1e12), 0.05, 1e-11);
}

TEST(StatSpecial, ChiSquareCriticalValuesGiveFivePercent) {
  // Upper 5% points of chi-square (3 decimals, as tabulated).
  const std::vector<std::pair<double, double>> table = {{1, 3.841}, {2, 5.991},   {3, 7.815},
                                                        {4, 9.488}, {10, 18.307}, {30, 43.773}};
  for (const auto& [df, crit] : table) EXPECT_NEAR(ChiSquareSf(crit, df), 0.05, 2e-5) << df;
  // df = 2: the survival function is exp(−x/2).
  for (double x : {0.01, 1.0, 7.3, 100.0, 1400.0}) {
    EXPECT_TRUE(RelNear(ChiSquareSf(x, 2), std::exp(-x / 2), 1e-13)) << x;
  }
  EXPECT_EQ(ChiSquareSf(0, 3), 1);
  EXPECT_EQ(ChiSquareSf(-1, 3), 1);
}

TEST(StatSpecial, ClosedFormsAndIdentities) {
  for (double x : {1e-8, 0.3, 1.0, 4.5, 40.0}) {
    EXPECT_TRUE(RelNear(RegularizedGammaP(1, x), -std::expm1(-x), 1e-14)) << x;
    EXPECT_TRUE(RelNear(RegularizedGammaQ(1, x), std::exp(-x), 1e-13)) << x;
    // P(½, x) = erf(√x).
    EXPECT_TRUE(RelNear(RegularizedGammaP(0.5, x), std::erf(std::sqrt(x)), 1e-13)) << x;
  }
  for (double x : {0.0, 1e-9, 0.25, 0.5, 0.8, 1.0}) {
    EXPECT_NEAR(RegularizedBeta(x, 1, 1), x, 1e-15);
    EXPECT_NEAR(RegularizedBeta(x, 3, 1), x * x * x, 1e-15);
    EXPECT_NEAR(RegularizedBeta(x, 1, 4), 1 - std::pow(1 - x, 4), 1e-15);
  }
  EXPECT_EQ(LogGamma(1), 0);
  EXPECT_NEAR(LogGamma(0.5), 0.5 * std::log(std::numbers::pi), 4e-15);
  EXPECT_TRUE(RelNear(LogGamma(21), std::log(2432902008176640000.0), 1e-15));
  // P + Q = 1 and the beta reflection; t symmetry; Cauchy closed form.
  for (double a : {0.2, 3.0, 57.0}) {
    for (double x : {0.1, 2.0, 60.0}) {
      EXPECT_NEAR(RegularizedGammaP(a, x) + RegularizedGammaQ(a, x), 1, 1e-15);
    }
  }
  for (double t : {0.1, 1.0, 2.5, 30.0}) {
    for (double df : {1.0, 3.0, 17.5, 1e4}) {
      EXPECT_NEAR(StudentTCdf(t, df) + StudentTCdf(-t, df), 1, 1e-15);
      EXPECT_EQ(StudentTTwoSidedP(t, df), StudentTTwoSidedP(-t, df));
      EXPECT_NEAR(StudentTTwoSidedP(t, df), 2 * StudentTCdf(-t, df), 1e-15);
    }
    EXPECT_TRUE(RelNear(StudentTCdf(-t, 1), 0.5 - std::atan(t) / std::numbers::pi, 1e-13));
  }
  EXPECT_EQ(StudentTCdf(0, 5), 0.5);
  EXPECT_EQ(StudentTTwoSidedP(0, 5), 1);
}

TEST(StatSpecial, QuantilesInvertTheirCdfs) {
  for (double df : {1.0, 2.0, 2.5, 4.0, 7.0, 33.0, 1e3, 1e7}) {
    for (double p : {1e-15, 1e-8, 0.01, 0.2, 0.45, 0.5, 0.55, 0.9, 0.999}) {
      const double t = StudentTQuantile(p, df);
      EXPECT_TRUE(RelNear(StudentTCdf(t, df), p, 1e-12)) << "p=" << p << " df=" << df;
      // 1 − p is rounded, so mirror only where that rounding is negligible.
      if (p >= 1e-3) {
        EXPECT_TRUE(Near(StudentTQuantile(1 - p, df), -t, 1e-12)) << "p=" << p << " df=" << df;
      }
    }
  }
  for (double p : {1e-250, 1e-30, 1e-3, 0.31, 0.5, 0.77}) {
    EXPECT_TRUE(RelNear(NormalCdf(NormalQuantile(p)), p, 1e-13)) << p;
  }
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(NormalQuantile(0), -inf);
  EXPECT_EQ(NormalQuantile(1), inf);
  EXPECT_EQ(StudentTQuantile(0, 3), -inf);
  EXPECT_EQ(StudentTQuantile(1, 3), inf);
}

// ---------------------------------------------------------------------------------------------
// Welch

TEST(Welch, HandWorkedExample) {
  // a = 1..5: mean 3, variance 2.5; b = 2, 4, 6: mean 4, variance 4.
  // se² = 2.5/5 + 4/3 = 11/6; df = (11/6)² / ((1/2)²/4 + (4/3)²/2) = 484/137.
  const std::vector<double> a = {1, 2, 3, 4, 5}, b = {2, 4, 6};
  auto r = WelchTest(a, b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->a.n, 5);
  EXPECT_DOUBLE_EQ(r->a.variance, 2.5);
  EXPECT_DOUBLE_EQ(r->b.variance, 4);
  ASSERT_TRUE(r->difference.defined) << r->difference.reason;
  EXPECT_DOUBLE_EQ(r->difference.estimate, -1);
  EXPECT_DOUBLE_EQ(r->difference.std_error, std::sqrt(11.0 / 6));
  EXPECT_DOUBLE_EQ(r->df, 484.0 / 137);
  EXPECT_DOUBLE_EQ(r->t_statistic, -1 / std::sqrt(11.0 / 6));
  // scipy.stats.ttest_ind(a, b, equal_var=False).pvalue; t.ppf(0.975, 484/137).
  EXPECT_TRUE(Near(r->p_value, 0.5062141716528479, 1e-13));
  EXPECT_TRUE(Near(r->t_critical, 2.9274053061524974, 1e-13));
  EXPECT_DOUBLE_EQ(r->difference.lower, -1 - r->t_critical * std::sqrt(11.0 / 6));
  EXPECT_DOUBLE_EQ(r->difference.upper, -1 + r->t_critical * std::sqrt(11.0 / 6));
  // Relative: −1/4; delta-method se = √(0.5 + (3/4)²·(4/3)) / 4 = √1.25 / 4.
  ASSERT_TRUE(r->relative.defined);
  EXPECT_DOUBLE_EQ(r->relative.estimate, -0.25);
  EXPECT_DOUBLE_EQ(r->relative.std_error, std::sqrt(1.25) / 4);
  EXPECT_DOUBLE_EQ(r->relative.lower, -0.25 - NormalQuantile(0.975) * std::sqrt(1.25) / 4);
  // Total: −1 per client in a, times n_a = 5.
  ASSERT_TRUE(r->total.defined);
  EXPECT_DOUBLE_EQ(r->total.estimate, -5);
  EXPECT_DOUBLE_EQ(r->total.std_error, 5 * std::sqrt(11.0 / 6));
  EXPECT_DOUBLE_EQ(r->total.lower, 5 * r->difference.lower);
  EXPECT_DOUBLE_EQ(r->total.upper, 5 * r->difference.upper);

  // The same from summary statistics.
  auto s = WelchTest(SampleSummary{5, 3, 2.5}, SampleSummary{3, 4, 4});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->p_value, r->p_value);
  EXPECT_EQ(s->difference.lower, r->difference.lower);
}

TEST(Welch, MatchesScipyOnStoredSamples) {
  for (const auto& c : Golden()["welch"]) {
    const std::vector<double> a = c["a"], b = c["b"];
    auto r = WelchTest(a, b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->difference.defined);
    EXPECT_TRUE(Near(r->difference.estimate, c["diff"].get<double>(), 1e-12));
    EXPECT_TRUE(RelNear(r->difference.std_error, c["se"].get<double>(), 1e-12));
    EXPECT_TRUE(RelNear(r->df, c["df"].get<double>(), 1e-12));
    EXPECT_TRUE(RelNear(r->t_statistic, c["t"].get<double>(), 1e-11));
    EXPECT_TRUE(RelNear(r->p_value, c["p"].get<double>(), 1e-11));
    EXPECT_TRUE(Near(r->difference.lower, c["lower"].get<double>(), 1e-12));
    EXPECT_TRUE(Near(r->difference.upper, c["upper"].get<double>(), 1e-12));
  }
}

TEST(Welch, SwappingSamplesFlipsTheSignAndKeepsThePValue) {
  Rng rng(5);
  std::vector<double> a, b;
  for (int i = 0; i < 37; ++i) a.push_back(rng.Normal(1.3, 2));
  for (int i = 0; i < 21; ++i) b.push_back(rng.Normal(0.2, 0.7));
  auto ab = WelchTest(a, b);
  auto ba = WelchTest(b, a);
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(ab->difference.estimate, -ba->difference.estimate);
  EXPECT_EQ(ab->difference.std_error, ba->difference.std_error);
  EXPECT_EQ(ab->t_statistic, -ba->t_statistic);
  EXPECT_DOUBLE_EQ(ab->df, ba->df);
  EXPECT_DOUBLE_EQ(ab->p_value, ba->p_value);
  EXPECT_DOUBLE_EQ(ab->difference.lower, -ba->difference.upper);
  EXPECT_DOUBLE_EQ(ab->difference.upper, -ba->difference.lower);
  EXPECT_LT(ab->p_value, 0.05);  // a real difference of 1.1 with these sizes
  EXPECT_GT(ab->difference.lower, 0);
}

TEST(Welch, DegenerateCasesAreUndefinedWithAReason) {
  // Fewer than 2 observations in a group.
  auto one = WelchTest(std::vector<double>{1, 2, 3}, std::vector<double>{4});
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->difference.defined);
  EXPECT_FALSE(one->relative.defined);
  EXPECT_FALSE(one->total.defined);
  EXPECT_NE(one->difference.reason.find("group b has 1 observation"), std::string::npos)
      << one->difference.reason;
  auto empty = WelchTest(std::vector<double>{}, std::vector<double>{1, 2});
  ASSERT_TRUE(empty.ok());
  EXPECT_NE(empty->difference.reason.find("group a has 0"), std::string::npos);

  // Zero variance in both groups (e.g. nobody responded anywhere).
  auto flat = WelchTest(std::vector<double>{0, 0, 0}, std::vector<double>{1, 1});
  ASSERT_TRUE(flat.ok());
  EXPECT_FALSE(flat->difference.defined);
  EXPECT_NE(flat->difference.reason.find("zero variance"), std::string::npos);
  EXPECT_EQ(flat->a.mean, 0);  // the means are still reported
  EXPECT_EQ(flat->b.mean, 1);

  // Zero variance in one group is fine: df = n_other − 1.
  auto half = WelchTest(std::vector<double>{1, 2, 3, 6}, std::vector<double>{2, 2, 2});
  ASSERT_TRUE(half.ok());
  ASSERT_TRUE(half->difference.defined);
  EXPECT_DOUBLE_EQ(half->df, 3);

  // mean_b = 0: absolute and total defined, relative not.
  auto zero_b = WelchTest(std::vector<double>{1, 2, 3}, std::vector<double>{-1, 0, 1});
  ASSERT_TRUE(zero_b.ok());
  EXPECT_TRUE(zero_b->difference.defined);
  EXPECT_TRUE(zero_b->total.defined);
  EXPECT_FALSE(zero_b->relative.defined);
  EXPECT_NE(zero_b->relative.reason.find("mean of group b is 0"), std::string::npos);
  EXPECT_EQ(zero_b->relative.estimate, 0);  // never NaN
}

TEST(Welch, InvalidInputIsAnError) {
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> bad = {1, std::nan(""), 3};
  auto r = WelchTest(ok, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_NE(r.status().message().find("sample b: value nan at index 1"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(WelchTest(SampleSummary{3, 1, -1}, SampleSummary{3, 1, 1}).status().code(),
            ErrorCode::kData);
  EXPECT_EQ(WelchTest(SampleSummary{-2, 1, 1}, SampleSummary{3, 1, 1}).status().code(),
            ErrorCode::kData);
  WelchOptions opt;
  opt.level = 1;
  auto c = WelchTest(ok, ok, opt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kConfig);
  EXPECT_NE(c.status().message().find("level=1"), std::string::npos);
}

TEST(Welch, LevelChangesTheCriticalValue) {
  WelchOptions opt;
  opt.level = 0.9;
  auto r = WelchTest(SampleSummary{1000, 1, 4}, SampleSummary{1000, 0.5, 9}, opt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Near(r->t_critical, StudentTQuantile(0.95, r->df), 1e-15));
  EXPECT_NEAR(r->t_critical, 1.6456, 1e-3);
}

// 95% intervals must cover the true difference 95% of the time. With 2000 datasets the count
// of covering intervals is Binomial(2000, 0.95): sd 9.7, so [1861, 1939] is ±4 sd.
TEST(Welch, IntervalCoverageMatchesTheLevel) {
  const int datasets = 2000;
  int covered = 0, rejected = 0;
  std::vector<double> a, b;
  for (int d = 0; d < datasets; ++d) {
    Rng rng(MixSeed(2024, static_cast<uint64_t>(d)));
    // Small, unequal groups with unequal variances: where Welch differs from Student.
    a.clear();
    b.clear();
    for (int i = 0; i < 8; ++i) a.push_back(rng.Normal(1.0, 3.0));
    for (int i = 0; i < 30; ++i) b.push_back(rng.Normal(0.5, 1.0));
    auto r = WelchTest(a, b);
    ASSERT_TRUE(r.ok() && r->difference.defined);
    covered += r->difference.lower <= 0.5 && 0.5 <= r->difference.upper;
    // The interval and the test agree: 0.5 ∉ CI ⟺ the test of diff = 0.5 rejects.
    const double t = (r->difference.estimate - 0.5) / r->difference.std_error;
    rejected += StudentTTwoSidedP(t, r->df) < 0.05;
  }
  EXPECT_GE(covered, 1861);
  EXPECT_LE(covered, 1939);
  EXPECT_EQ(rejected, datasets - covered);
}

TEST(Welch, RelativeIntervalCoverage) {
  // Delta method: asymptotic, so larger groups (binary outcomes, as in a campaign).
  const int datasets = 1000;  // Binomial(1000, 0.95): sd 6.9; ±4 sd = [922, 978]
  int covered = 0;
  const double pa = 0.24, pb = 0.2, truth = pa / pb - 1;
  std::vector<double> a, b;
  for (int d = 0; d < datasets; ++d) {
    Rng rng(MixSeed(77, static_cast<uint64_t>(d)));
    a.clear();
    b.clear();
    for (int i = 0; i < 600; ++i) a.push_back(rng.Bernoulli(pa) ? 1 : 0);
    for (int i = 0; i < 400; ++i) b.push_back(rng.Bernoulli(pb) ? 1 : 0);
    auto r = WelchTest(a, b);
    ASSERT_TRUE(r.ok() && r->relative.defined);
    covered += r->relative.lower <= truth && truth <= r->relative.upper;
  }
  EXPECT_GE(covered, 922);
  EXPECT_LE(covered, 978);
}

TEST(Welch, SummarizeIsAccurateForLargeOffsets) {
  // A naive Σx² − n·mean² would lose every digit here.
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(1e9 + (i % 2 ? 1 : -1));
  auto s = Summarize(v);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mean, 1e9);
  EXPECT_DOUBLE_EQ(s->variance, 1000.0 / 999);
  auto one = Summarize(std::vector<double>{7});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->mean, 7);
  EXPECT_EQ(one->variance, 0);
}

// ---------------------------------------------------------------------------------------------
// Sample ratio mismatch

TEST(Srm, MatchesScipyChisquare) {
  for (const auto& c : Golden()["srm"]) {
    const std::vector<int64_t> observed = c["observed"];
    const std::vector<double> expected = c["expected"];
    auto r = SampleRatioMismatch(observed, expected);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->defined);
    EXPECT_TRUE(Near(r->chi_square, c["chi_square"].get<double>(), 1e-12));
    EXPECT_TRUE(RelNear(r->p_value, c["p"].get<double>(), 1e-12));
    EXPECT_EQ(r->df, static_cast<int>(observed.size()) - 1);
  }
}

TEST(Srm, BalancedPassesSkewedIsFlagged) {
  const std::vector<double> half = {0.5, 0.5};
  auto balanced = SampleRatioMismatch(std::vector<int64_t>{50'120, 49'880}, half);
  ASSERT_TRUE(balanced.ok());
  EXPECT_FALSE(balanced->mismatch);
  EXPECT_GT(balanced->p_value, 0.1);
  // 2% off on 100k: chi² = 2·1000²/50000 = 40 on 1 df.
  auto skewed = SampleRatioMismatch(std::vector<int64_t>{51'000, 49'000}, half);
  ASSERT_TRUE(skewed.ok());
  EXPECT_DOUBLE_EQ(skewed->chi_square, 40);
  EXPECT_TRUE(skewed->mismatch);
  EXPECT_LT(skewed->p_value, 1e-9);
  // Shares or counts: the same test. Three groups 10/45/45.
  auto shares = SampleRatioMismatch(std::vector<int64_t>{1000, 4400, 4600},
                                    std::vector<double>{0.1, 0.45, 0.45});
  auto counts = SampleRatioMismatch(std::vector<int64_t>{1000, 4400, 4600},
                                    std::vector<double>{2000, 9000, 9000});
  ASSERT_TRUE(shares.ok() && counts.ok());
  EXPECT_DOUBLE_EQ(shares->chi_square, counts->chi_square);
  EXPECT_EQ(shares->expected, (std::vector<double>{1000, 4500, 4500}));
  EXPECT_EQ(shares->df, 2);
  EXPECT_DOUBLE_EQ(shares->min_expected, 1000);
  // chi² = 2·100²/4500 = 4.44: p = exp(−chi²/2) on 2 df ≈ 0.108, no flag; alpha = 0.2 flags.
  EXPECT_TRUE(RelNear(shares->p_value, std::exp(-shares->chi_square / 2), 1e-13));
  EXPECT_FALSE(shares->mismatch);
  SrmOptions loose;
  loose.alpha = 0.2;
  auto flagged = SampleRatioMismatch(std::vector<int64_t>{1000, 4400, 4600},
                                     std::vector<double>{0.1, 0.45, 0.45}, loose);
  ASSERT_TRUE(flagged.ok());
  EXPECT_TRUE(flagged->mismatch);
}

TEST(Srm, ZeroShareGroupsAndDegenerateInputs) {
  // A group designed empty and observed empty drops out of the df.
  auto dropped =
      SampleRatioMismatch(std::vector<int64_t>{500, 0, 500}, std::vector<double>{0.5, 0, 0.5});
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(dropped->defined);
  EXPECT_EQ(dropped->df, 1);
  EXPECT_EQ(dropped->p_value, 1);
  // ... but observed in it contradicts the design: an error naming the group.
  auto contradiction =
      SampleRatioMismatch(std::vector<int64_t>{500, 3, 500}, std::vector<double>{0.5, 0, 0.5});
  ASSERT_FALSE(contradiction.ok());
  EXPECT_NE(contradiction.status().message().find("group 1 has 3 observations"), std::string::npos);
  // Undefined rather than errors.
  auto nothing = SampleRatioMismatch(std::vector<int64_t>{0, 0}, std::vector<double>{1, 1});
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->defined);
  EXPECT_FALSE(nothing->mismatch);
  EXPECT_NE(nothing->reason.find("no observations"), std::string::npos);
  auto single = SampleRatioMismatch(std::vector<int64_t>{10}, std::vector<double>{1});
  ASSERT_TRUE(single.ok());
  EXPECT_FALSE(single->defined);
  // Errors.
  EXPECT_FALSE(SampleRatioMismatch(std::vector<int64_t>{1, 2}, std::vector<double>{1}).ok());
  EXPECT_FALSE(SampleRatioMismatch(std::vector<int64_t>{-1, 2}, std::vector<double>{1, 1}).ok());
  EXPECT_FALSE(SampleRatioMismatch(std::vector<int64_t>{1, 2}, std::vector<double>{1, -1}).ok());
  EXPECT_FALSE(SampleRatioMismatch(std::vector<int64_t>{0, 0}, std::vector<double>{0, 0}).ok());
  SrmOptions bad;
  bad.alpha = 0;
  EXPECT_EQ(SampleRatioMismatch(std::vector<int64_t>{1, 2}, std::vector<double>{1, 1}, bad)
                .status()
                .code(),
            ErrorCode::kConfig);
}

// ---------------------------------------------------------------------------------------------
// Bootstrap of a difference in means

TEST(MeanDifferenceBootstrap, IdenticalForAnyThreadCount) {
  Rng rng(3);
  std::vector<double> a, b;
  for (int i = 0; i < 700; ++i) a.push_back(rng.Exponential(1.0));
  for (int i = 0; i < 500; ++i) b.push_back(rng.Exponential(1.25));
  BootstrapOptions opt;
  opt.replicates = 200;
  opt.seed = 11;
  auto one = BootstrapMeanDifference(a, b, opt, Threads(1));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  for (int threads : {2, 3}) {
    auto many = BootstrapMeanDifference(a, b, opt, Threads(threads));
    ASSERT_TRUE(many.ok());
    EXPECT_EQ(many->difference.values, one->difference.values) << threads;
    EXPECT_EQ(many->relative.values, one->relative.values) << threads;
    EXPECT_EQ(many->difference.lower, one->difference.lower);
    EXPECT_EQ(many->total.upper, one->total.upper);
  }
  // A different seed gives different replicates; the estimate is the full-sample value.
  opt.seed = 12;
  auto other = BootstrapMeanDifference(a, b, opt, Threads(1));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->difference.values, one->difference.values);
  EXPECT_EQ(other->difference.estimate, one->difference.estimate);
  // Total is the difference scaled by n_a, replicate by replicate.
  ASSERT_EQ(one->total.values.size(), one->difference.values.size());
  for (size_t r = 0; r < one->total.values.size(); ++r) {
    EXPECT_EQ(one->total.values[r], one->difference.values[r] * 700);
  }
  EXPECT_DOUBLE_EQ(one->total.estimate, one->difference.estimate * 700);
}

TEST(MeanDifferenceBootstrap, AgreesWithWelchOnLargeNormalSamples) {
  Rng rng(8);
  std::vector<double> a, b;
  for (int i = 0; i < 2000; ++i) a.push_back(rng.Normal(10.3, 2.0));
  for (int i = 0; i < 1500; ++i) b.push_back(rng.Normal(10.0, 1.0));
  BootstrapOptions opt;
  opt.replicates = 1000;
  opt.seed = 4;
  auto boot = BootstrapMeanDifference(a, b, opt, Threads(2));
  auto welch = WelchTest(a, b);
  ASSERT_TRUE(boot.ok() && welch.ok());
  ASSERT_TRUE(boot->difference.defined && welch->difference.defined);
  const double se = welch->difference.std_error;
  EXPECT_EQ(boot->difference.estimate, welch->difference.estimate);
  // Monte Carlo error of a 2.5% quantile from 1000 replicates is ~0.1 se.
  EXPECT_NEAR(boot->difference.lower, welch->difference.lower, 0.25 * se);
  EXPECT_NEAR(boot->difference.upper, welch->difference.upper, 0.25 * se);
  EXPECT_NEAR(boot->difference.std_error, se, 0.1 * se);
  ASSERT_TRUE(boot->relative.defined && welch->relative.defined);
  const double se_rel = welch->relative.std_error;
  EXPECT_NEAR(boot->relative.lower, welch->relative.lower, 0.25 * se_rel);
  EXPECT_NEAR(boot->relative.upper, welch->relative.upper, 0.25 * se_rel);
  EXPECT_NEAR(boot->total.lower, welch->total.lower, 0.25 * se * 2000);
}

TEST(MeanDifferenceBootstrap, UndefinedCasesCarryReasons) {
  BootstrapOptions opt;
  opt.replicates = 100;
  const std::vector<double> some = {1, 2, 3};
  auto empty = BootstrapMeanDifference(some, std::vector<double>{}, opt, Threads(1));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->difference.defined);
  EXPECT_NE(empty->difference.reason.find("sample b is empty"), std::string::npos);
  // mean_b = 0 on the full sample: relative undefined, the others fine.
  auto zero = BootstrapMeanDifference(some, std::vector<double>{0, 0, 0, 0}, opt, Threads(1));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->difference.defined);
  EXPECT_FALSE(zero->relative.defined);
  EXPECT_NE(zero->relative.reason.find("mean of sample b is 0"), std::string::npos);
  // A rare binary outcome in b: some replicates have mean_b = 0. Undefined by default...
  std::vector<double> rare(40, 0.0);
  rare[7] = 1;
  auto strict = BootstrapMeanDifference(some, rare, opt, Threads(1));
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->relative.defined);
  EXPECT_GT(strict->relative.undefined_replicates, 0);
  EXPECT_NE(strict->relative.reason.find("resampled mean of b is 0"), std::string::npos);
  // ... and defined over the remaining replicates when the caller tolerates that.
  opt.max_undefined_fraction = 0.6;
  auto tolerant = BootstrapMeanDifference(some, rare, opt, Threads(1));
  ASSERT_TRUE(tolerant.ok());
  EXPECT_TRUE(tolerant->relative.defined);
  EXPECT_EQ(tolerant->relative.values.size() +
                static_cast<size_t>(tolerant->relative.undefined_replicates),
            100u);
  // Invalid input and options are errors.
  EXPECT_EQ(BootstrapMeanDifference(std::vector<double>{1, INFINITY}, some, opt, Threads(1))
                .status()
                .code(),
            ErrorCode::kData);
  opt.replicates = 1;
  EXPECT_EQ(BootstrapMeanDifference(some, some, opt, Threads(1)).status().code(),
            ErrorCode::kConfig);
}

}  // namespace
}  // namespace upcamp::metrics
