#pragma once
// Statistical tests for campaign evaluation: the special functions they rest on, Welch's
// two-sample t-test with absolute, relative and total effects, the sample-ratio-mismatch
// chi-square test, and a bootstrap interval for a difference in means. Pure functions: no I/O,
// no models. docs/metrics.md ("Statistical tests") gives the formulas.
//
// Conventions shared with the rest of src/metrics:
//  - invalid input (non-finite values, negative counts, bad options) is an error Status naming
//    the argument and the value;
//  - valid data on which a quantity is not defined (a group with fewer than 2 observations,
//    zero variance in both groups, a zero baseline mean for the relative effect) gives
//    `defined = false` and a `reason`, never a NaN.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "metrics/bootstrap.h"

namespace upcamp::metrics {

// ---------------------------------------------------------------------------------------------
// Special functions. Arguments outside the stated domain are programmer errors (assert in debug
// builds, NaN in release builds); the tests below validate their inputs before calling them.
// Accuracy: about 1e-14 relative in the bulk, and relative (not only absolute) in the tails —
// tail probabilities are computed directly, never as 1 − (something close to 1).

/// ln Γ(x) for x > 0 (our own Stirling series with shift; thread-safe, unlike glibc's lgamma,
/// which writes the global `signgam`).
double LogGamma(double x);

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), a, b > 0, without the cancellation of the
/// three-term form when a or b is large (Stirling corrections are combined analytically).
double LogBeta(double a, double b);

/// Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a); a > 0, x >= 0 (x = +inf gives 1).
double RegularizedGammaP(double a, double x);
/// Upper Q(a, x) = 1 − P(a, x), computed directly (accurate when tiny).
double RegularizedGammaQ(double a, double x);

/// Regularized incomplete beta I_x(a, b); a, b > 0, 0 <= x <= 1.
double RegularizedBeta(double x, double a, double b);

/// Standard normal CDF Φ(z) and survival function 1 − Φ(z) (both accurate in their tails).
double NormalCdf(double z);
double NormalSf(double z);
/// Φ⁻¹(p) for p in (0, 1); ±inf at p = 0 / 1.
double NormalQuantile(double p);

/// Student t CDF with df > 0 degrees of freedom (df = +inf: the normal CDF).
double StudentTCdf(double t, double df);
/// Two-sided p-value P(|T| >= |t|), df > 0.
double StudentTTwoSidedP(double t, double df);
/// The p-quantile of Student's t, p in (0, 1), df > 0 (±inf at p = 0 / 1).
double StudentTQuantile(double p, double df);

/// Chi-square survival function P(X >= x) with df > 0 degrees of freedom (1 for x <= 0).
double ChiSquareSf(double x, double df);

// ---------------------------------------------------------------------------------------------
// Welch's t-test for the difference in means of two independent samples, a − b (a: treated /
// targeted, b: control).

/// Size, mean and unbiased variance of one sample.
struct SampleSummary {
  int64_t n = 0;
  /// 0 when n = 0.
  double mean = 0;
  /// Sample variance with the n − 1 denominator; 0 when n < 2.
  double variance = 0;
};

/// Two-pass (mean, then squared deviations) summary. Data error naming `what` and the index if
/// a value is not finite.
Result<SampleSummary> Summarize(std::span<const double> values, std::string_view what = "sample");

/// An effect estimate with its confidence interval, or the reason there is none.
struct EffectEstimate {
  /// False when the estimate or its interval cannot be computed; then the numbers below are 0
  /// and must not be shown.
  bool defined = false;
  /// Why the effect is undefined (empty when defined).
  std::string reason;
  double estimate = 0;
  double std_error = 0;
  double lower = 0;
  double upper = 0;
};

struct WelchOptions {
  /// Two-sided confidence level of the intervals, in (0, 1).
  double level = 0.95;

  /// Config error naming the field and value.
  Status Validate() const;
};

struct WelchResult {
  SampleSummary a;
  SampleSummary b;
  double level = 0.95;
  /// mean_a − mean_b, in outcome units per client. Its interval is diff ± t* · se with
  /// se = sqrt(var_a/n_a + var_b/n_b) and t* the (1+level)/2 quantile of Student's t with the
  /// Welch–Satterthwaite df.
  EffectEstimate difference;
  /// The test of mean_a = mean_b; meaningful only when difference.defined.
  double df = 0;
  double t_statistic = 0;
  double p_value = 0;
  /// t* used for the interval of `difference` (and of `total`).
  double t_critical = 0;
  /// diff / mean_b (e.g. 0.1 = +10%). Interval by the delta method: se_rel² ≈ var_a/(n_a·mb²) +
  /// ma²·var_b/(n_b·mb⁴), estimate ± z* · se_rel with z* the normal (1+level)/2 quantile.
  /// Undefined when mean_b = 0 or difference is undefined.
  EffectEstimate relative;
  /// diff · n_a: the incremental outcome summed over group a (e.g. extra responders among the
  /// targeted). n_a is fixed by the design, so the estimate, se and interval are those of
  /// `difference` scaled by n_a.
  EffectEstimate total;
};

/// From summary statistics. Errors (data): n < 0, variance < 0 or non-finite mean/variance.
/// Undefined (difference.defined = false, reason set): n < 2 in a group, or zero variance in
/// both groups.
Result<WelchResult> WelchTest(const SampleSummary& a, const SampleSummary& b,
                              const WelchOptions& options = {});
/// From the two samples (Summarize on each, named "sample a" / "sample b" in errors).
Result<WelchResult> WelchTest(std::span<const double> a, std::span<const double> b,
                              const WelchOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Sample ratio mismatch: are the observed group sizes consistent with the designed split?

struct SrmOptions {
  /// Flag a mismatch when the p-value is below this, in (0, 1). The default is the common
  /// A/B-testing convention: with many checks run routinely, only very strong evidence should
  /// raise the alarm.
  double alpha = 0.001;

  /// Config error naming the field and value.
  Status Validate() const;
};

struct SrmResult {
  /// False when the test cannot be run (no observations, or fewer than 2 groups with a
  /// positive expected share); reason says why.
  bool defined = false;
  std::string reason;
  /// Observed total and the expected count of each group (share · total, in input order).
  int64_t total = 0;
  std::vector<double> expected;
  /// Pearson's Σ (observed − expected)² / expected over groups with a positive share.
  double chi_square = 0;
  /// Groups with a positive expected share, minus 1.
  int df = 0;
  double p_value = 1;
  /// p_value < alpha.
  bool mismatch = false;
  /// Smallest expected count; below 5 the chi-square approximation is poor (report it).
  double min_expected = 0;
};

/// `observed[g]`: clients in group g; `expected[g]`: the designed share of group g, or the
/// designed count — either way it is normalized to sum to 1 and scaled to the observed total.
/// Data errors: lengths differ or are < 1, a negative count, an expected value that is negative
/// or not finite, all expected values 0, or a group with observations but expected value 0
/// (the design says it cannot occur).
Result<SrmResult> SampleRatioMismatch(std::span<const int64_t> observed,
                                      std::span<const double> expected,
                                      const SrmOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Bootstrap intervals for a difference in means of two independent samples.

/// Percentile intervals (bootstrap.h's BootstrapInterval: estimate on the full samples,
/// interval, bootstrap standard error, replicate values).
struct MeanDifferenceBootstrap {
  /// mean_a − mean_b.
  BootstrapInterval difference;
  /// (mean_a − mean_b) / mean_b; a replicate whose mean_b is 0 is undefined and dropped, as
  /// BootstrapOptions::max_undefined_fraction allows.
  BootstrapInterval relative;
  /// (mean_a − mean_b) · n_a.
  BootstrapInterval total;
};

/// Replicate r draws n_a values of `a` and then n_b values of `b` with replacement from
/// Rng(MixSeed(options.seed, r)) — each sample within itself, so `options.stratified` has no
/// effect — and depends on nothing else: results are identical for any ctx.threads.
/// Errors: config error for invalid options; data error for a non-finite value. An empty sample
/// gives undefined intervals (reason set), not an error.
Result<MeanDifferenceBootstrap> BootstrapMeanDifference(std::span<const double> a,
                                                        std::span<const double> b,
                                                        const BootstrapOptions& options,
                                                        const Context& ctx);

}  // namespace upcamp::metrics
