#include "metrics/stat_tests.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "core/hash.h"
#include "core/parallel.h"
#include "core/random.h"
#include "metrics/checks.h"

namespace upcamp::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();
// Lentz's method replaces a vanishing denominator by this so the recurrence can go on.
constexpr double kTiny = 1e-300;
// The series and continued fractions converge in O(sqrt(max(a, b))) steps near their turning
// point; this bound covers parameters up to ~1e9 with a wide margin.
constexpr int kMaxIterations = 1'000'000;
// ln sqrt(2π).
constexpr double kLnSqrt2Pi = 0.91893853320467274178032973640562;

// δ(x) = ln Γ(x) − [(x − ½) ln x − x + ln √(2π)], Stirling's remainder, for x >= 10: the series
// Σ B_2k / (2k (2k − 1) x^(2k − 1)), k = 1..8; the first omitted term is < 2e-18 at x = 10.
double StirlingCorrection(double x) {
  static constexpr double kCoef[] = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                     1.0 / 1188, -691.0 / 360360, 1.0 / 156,  -3617.0 / 122400};
  const double r = 1 / x;
  const double r2 = r * r;
  double sum = 0;
  for (int k = 7; k >= 0; --k) sum = sum * r2 + kCoef[k];
  return sum * r;
}

// ln(1 + u) − u without the cancellation of the direct form when |u| is small.
double Log1pMinusX(double u) {
  if (std::fabs(u) >= 0.25) return std::log1p(u) - u;
  // −u²/2 + u³/3 − u⁴/4 + ...; |u| < 1/4 makes each term < 1/4 of the previous one.
  double term = -u * u;  // (−1)^(k+1) u^k for k = 2
  double sum = 0;
  for (int k = 2; k < 200; ++k) {
    const double add = term / k;
    sum += add;
    if (std::fabs(add) <= kEps * std::fabs(sum)) break;
    term *= -u;
  }
  return sum;
}

// ln(x^a e^−x / Γ(a)), the prefactor of the incomplete gamma functions; x > 0.
double LogGammaPrefactor(double a, double x) {
  if (a < 10) return a * std::log(x) - x - LogGamma(a);
  // Expanding ln Γ(a) by Stirling makes the large terms a ln x and x cancel analytically:
  // a [ln(1 + u) − u] + ½ ln a − ln √(2π) − δ(a), u = (x − a) / a.
  return a * Log1pMinusX((x - a) / a) + 0.5 * std::log(a) - kLnSqrt2Pi - StirlingCorrection(a);
}

// P(a, x) by its power series; for x < a + 1.
double GammaPSeries(double a, double x) {
  double term = 1 / a;
  double sum = term;
  for (int n = 1; n < kMaxIterations; ++n) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * kEps) break;
  }
  return std::exp(LogGammaPrefactor(a, x)) * sum;
}

// Q(a, x) by its continued fraction (modified Lentz); for x >= a + 1.
double GammaQContinuedFraction(double a, double x) {
  double b = x + 1 - a;  // >= 2 here
  double c = 1 / kTiny;
  double d = 1 / b;
  double h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) <= kEps) break;
  }
  return std::exp(LogGammaPrefactor(a, x)) * h;
}

struct GammaPair {
  double p;
  double q;
};

GammaPair IncompleteGamma(double a, double x) {
  if (x <= 0) return {0, 1};
  if (std::isinf(x)) return {1, 0};
  if (x < a + 1) {
    const double p = GammaPSeries(a, x);
    return {p, 1 - p};
  }
  const double q = GammaQContinuedFraction(a, x);
  return {1 - q, q};
}

// ln(x^a y^b / (a B(a, b))) with y = 1 − x (both passed, so neither is rounded away), the
// prefactor of I_x(a, b); 0 < x, y < 1.
double LogBetaPrefactor(double x, double y, double a, double b) {
  if (std::min(a, b) < 10) {
    const double log_x = y < 0.5 ? std::log1p(-y) : std::log(x);
    const double log_y = x < 0.5 ? std::log1p(-x) : std::log(y);
    return a * log_x + b * log_y - std::log(a) - LogBeta(a, b);
  }
  // Both large: with Stirling's form of ln B the terms of size a and b cancel analytically,
  // leaving a·[ln(1+u) − u] + b·[ln(1+v) − v] with u = (x·b − y·a)/a and v = −(x·b − y·a)/b
  // (x(a+b)/a = 1 + u), plus ½ ln(ab/(a+b)) − ln √(2π) − δ(a) − δ(b) + δ(a+b).
  const double w = x * b - y * a;
  return a * Log1pMinusX(w / a) + b * Log1pMinusX(-w / b) + 0.5 * std::log(a * (b / (a + b))) -
         kLnSqrt2Pi - StirlingCorrection(a) - StirlingCorrection(b) + StirlingCorrection(a + b) -
         std::log(a);
}

// The continued fraction of I_x(a, b) (modified Lentz): I = prefactor · value. Converges fast
// for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double x, double a, double b) {
  auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1;
  double d = 1 / guard(1 - (a + b) * x / (a + 1));
  double h = d;
  for (int m = 1; m < kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    // Even step: d_2m = m (b − m) x / ((a + 2m − 1)(a + 2m)).
    double coef = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 / guard(1 + coef * d);
    c = guard(1 + coef / c);
    h *= d * c;
    // Odd step: d_2m+1 = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    coef = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 / guard(1 + coef * d);
    c = guard(1 + coef / c);
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) <= kEps) break;
  }
  return h;
}

struct BetaPair {
  double lower;  // I_x(a, b)
  double upper;  // 1 − I_x(a, b)
};

// I_x(a, b) and its complement, from x and y = 1 − x. The fraction is evaluated on the side
// where it converges (x below the turning point (a + 1)/(a + b + 2): I directly; else 1 − I
// as I_y(b, a)), and the other value is 1 minus it — so the smaller of the two is normally
// the one computed directly.
BetaPair IncompleteBeta(double x, double y, double a, double b) {
  if (x <= 0) return {0, 1};
  if (y <= 0) return {1, 0};
  const bool direct = x < (a + 1) / (a + b + 2);
  // The chosen side: I_u(p, q) with (u, p, q) = (x, a, b) or (y, b, a).
  const double u = direct ? x : y, v = direct ? y : x;
  const double p = direct ? a : b, q = direct ? b : a;
  double value = std::exp(LogBetaPrefactor(u, v, p, q)) * BetaContinuedFraction(u, p, q);
  // Just below the turning point the fraction's first denominator d1 = 1 − (p+q)u/(p+1)
  // nearly cancels and the value loses about log10(1/d1) digits (5 for Student's t at
  // df = 1e7, |t| ≈ 2). The other side's fraction, evaluated a little past its own turning
  // point (it converges for any argument below 1; within 10× of the turning point it does so
  // reliably), is then well conditioned; 1 minus it costs log10(1/value) digits instead — use
  // it when that is the smaller loss.
  const double d1 = std::fabs(1 - (p + q) * u / (p + 1));
  if (d1 < 0.01 && v * (p + q + 2) / (q + 1) <= 10) {
    const double other = std::exp(LogBetaPrefactor(v, u, q, p)) * BetaContinuedFraction(v, q, p);
    if (other >= 0 && other <= 1 && 1 - other > d1) value = 1 - other;
  }
  return direct ? BetaPair{value, 1 - value} : BetaPair{1 - value, value};
}

// P(T <= −|t|), directly (no 1 − x): ½ I_{df/(df+t²)}(df/2, ½).
double StudentTLowerTail(double abs_t, double df) {
  if (std::isinf(df)) return NormalCdf(-abs_t);
  if (abs_t == 0) return 0.5;
  // x = df / (df + t²) and y = t² / (df + t²), formed so that neither overflows for huge t.
  double x, y;
  const double r = (abs_t / df) * abs_t;  // t² / df
  if (r <= 1) {
    x = 1 / (1 + r);
    y = r / (1 + r);
  } else {
    const double s = (df / abs_t) / abs_t;  // df / t²
    x = s / (1 + s);
    y = 1 / (1 + s);
  }
  return 0.5 * IncompleteBeta(x, y, df / 2, 0.5).lower;
}

// ln of Student's t density at t (df finite).
double StudentTLogPdf(double t, double df) {
  const double w = std::fabs(t) / std::sqrt(df);
  const double log1p_w2 = w > 1e150 ? 2 * std::log(w) : std::log1p(w * w);
  // Γ((df+1)/2) / (Γ(df/2) √(df π)) = 1 / (√df · B(df/2, ½)).
  return -LogBeta(df / 2, 0.5) - 0.5 * std::log(df) - (df + 1) / 2 * log1p_w2;
}

bool AllFinite(std::span<const double> v, std::string_view what, Status* status) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      *status = Status::Data("{}: value {} at index {} is not finite", what, v[i], i);
      return false;
    }
  }
  return true;
}

EffectEstimate Undefined(std::string reason) {
  EffectEstimate e;
  e.reason = std::move(reason);
  return e;
}

}  // namespace

// --------------------------------------------------------------------------------------------
// Special functions

double LogGamma(double x) {
  assert(x > 0);
  if (!(x > 0)) return kNaN;
  if (std::isinf(x)) return kInf;
  if (x == 1 || x == 2) return 0;  // exactly, not a rounding residue of the shift
  // Shift up to x >= 10 with Γ(x) = Γ(x + k) / (x (x+1) ... (x+k−1)), then Stirling.
  double shift = 1;
  while (x < 10) {
    shift *= x;
    x += 1;
  }
  return (x - 0.5) * std::log(x) - x + kLnSqrt2Pi + StirlingCorrection(x) - std::log(shift);
}

double LogBeta(double a, double b) {
  assert(a > 0 && b > 0);
  if (!(a > 0 && b > 0)) return kNaN;
  const double p = std::min(a, b);
  const double q = std::max(a, b);
  if (std::isinf(q)) return -kInf;
  const double share = p / (p + q);
  if (p >= 10) {
    // ln √(2π) − ½ ln(p+q) + (p − ½) ln(p/(p+q)) + (q − ½) ln(q/(p+q)) + δ(p) + δ(q) − δ(p+q).
    return kLnSqrt2Pi - 0.5 * std::log(p + q) + (p - 0.5) * std::log(share) +
           (q - 0.5) * std::log1p(-share) + StirlingCorrection(p) + StirlingCorrection(q) -
           StirlingCorrection(p + q);
  }
  if (q >= 10) {
    // ln Γ(q) − ln Γ(p+q) = (q − ½) ln(q/(p+q)) − p ln(p+q) + p + δ(q) − δ(p+q).
    return LogGamma(p) + (q - 0.5) * std::log1p(-share) - p * std::log(p + q) + p +
           StirlingCorrection(q) - StirlingCorrection(p + q);
  }
  return LogGamma(p) + LogGamma(q) - LogGamma(p + q);
}

double RegularizedGammaP(double a, double x) {
  assert(a > 0 && x >= 0);
  if (!(a > 0 && x >= 0)) return kNaN;
  return IncompleteGamma(a, x).p;
}

double RegularizedGammaQ(double a, double x) {
  assert(a > 0 && x >= 0);
  if (!(a > 0 && x >= 0)) return kNaN;
  return IncompleteGamma(a, x).q;
}

double RegularizedBeta(double x, double a, double b) {
  assert(a > 0 && b > 0 && x >= 0 && x <= 1);
  if (!(a > 0 && b > 0 && x >= 0 && x <= 1)) return kNaN;
  return IncompleteBeta(x, 1 - x, a, b).lower;
}

double NormalCdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

double NormalSf(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

double NormalQuantile(double p) {
  assert(p >= 0 && p <= 1);
  if (!(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  // Work in the lower tail (1 − p is exact for p >= ½), then mirror.
  const double q = p < 0.5 ? p : 1 - p;
  // Start: Abramowitz & Stegun 26.2.23, a rational approximation in t = √(−2 ln q) with
  // |error| < 4.5e-4.
  const double t = std::sqrt(-2 * std::log(q));
  double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  // Halley's iteration on Φ(x) = q (cubic convergence: 4.5e-4 → ~1e-10 → full precision).
  // The step (Φ(x) − q)/φ(x) is formed as (Φ(x)/q − 1) · q/φ(x), with q/φ(x) taken through
  // logarithms, so it neither overflows nor loses relative precision deep in the tail.
  // Near the center Φ(x) − q is formed as ½ erf(x/√2) − (q − ½) instead (q − ½ is exact
  // there), which keeps the relative precision of the tiny x.
  for (int i = 0; i < 6; ++i) {
    const double u =
        q > 0.25 ? (0.5 * std::erf(x / std::numbers::sqrt2) - (q - 0.5)) *
                       std::exp(0.5 * x * x + kLnSqrt2Pi)
                 : (NormalCdf(x) / q - 1) * std::exp(std::log(q) + 0.5 * x * x + kLnSqrt2Pi);
    const double step = u / (1 + 0.5 * x * u);
    x -= step;
    if (std::fabs(step) <= 4 * kEps * std::fabs(x)) break;
  }
  return p < 0.5 ? x : -x;
}

double StudentTCdf(double t, double df) {
  assert(df > 0 && !std::isnan(t));
  if (!(df > 0) || std::isnan(t)) return kNaN;
  const double tail = StudentTLowerTail(std::fabs(t), df);
  return t < 0 ? tail : 1 - tail;
}

double StudentTTwoSidedP(double t, double df) {
  assert(df > 0 && !std::isnan(t));
  if (!(df > 0) || std::isnan(t)) return kNaN;
  return 2 * StudentTLowerTail(std::fabs(t), df);
}

double StudentTQuantile(double p, double df) {
  assert(df > 0 && p >= 0 && p <= 1);
  if (!(df > 0 && p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  if (std::isinf(df)) return NormalQuantile(p);
  const double q = p < 0.5 ? p : 1 - p;  // lower-tail probability; the answer is −|t|
  const double sign = p < 0.5 ? 1 : -1;
  // Closed forms: Cauchy (df = 1) and df = 2.
  if (df == 1) return sign * -1 / std::tan(std::numbers::pi * q);
  if (df == 2) return sign * (2 * q - 1) / std::sqrt(2 * q * (1 - q));

  // Solve ln F(−e^s) = ln q for s = ln|t|. In s the tail is close to linear (F ~ |t|^−df), so
  // Newton converges in a few steps from the center to deep tails. Safeguarded by a bracket
  // [s_lo, s_hi] with h(s_lo) > 0 > h(s_hi); a step leaving it is replaced by bisection.
  const double log_q = std::log(q);
  auto h = [&](double s) { return std::log(StudentTLowerTail(std::exp(s), df)) - log_q; };

  // Start: the normal quantile with the first two Cornish–Fisher terms.
  const double z = NormalQuantile(q);
  const double z2 = z * z;
  const double t0 = z + z * (z2 + 1) / (4 * df) + z * ((5 * z2 + 16) * z2 + 3) / (96 * df * df);
  double s = std::log(std::max(-t0, 1e-300));
  double hs = h(s);
  if (hs == 0) return sign * -std::exp(s);
  double s_lo, s_hi;
  if (hs > 0) {  // |t| too small: expand upwards
    s_lo = s;
    s_hi = s + 1;
    while (h(s_hi) > 0 && s_hi < 710) s_hi += 1;
  } else {
    s_hi = s;
    s_lo = s - 1;
    while (h(s_lo) < 0 && s_lo > -750) s_lo -= 1;
  }
  for (int i = 0; i < 200; ++i) {
    const double t = std::exp(s);
    // d/ds ln F(−e^s) = −e^s · pdf(t) / F.
    const double slope = -t * std::exp(StudentTLogPdf(t, df) - std::log(StudentTLowerTail(t, df)));
    double next = s - hs / slope;
    if (!(next > s_lo && next < s_hi)) next = 0.5 * (s_lo + s_hi);
    const double moved = std::fabs(next - s);
    s = next;
    hs = h(s);
    if (hs == 0) break;
    (hs > 0 ? s_lo : s_hi) = s;
    if (moved <= 2 * kEps * std::max(1.0, std::fabs(s)) || s_hi - s_lo <= 2 * kEps * std::fabs(s)) {
      break;
    }
  }
  return sign * -std::exp(s);
}

double ChiSquareSf(double x, double df) {
  assert(df > 0 && !std::isnan(x));
  if (!(df > 0) || std::isnan(x)) return kNaN;
  if (x <= 0) return 1;
  return RegularizedGammaQ(df / 2, x / 2);
}

// --------------------------------------------------------------------------------------------
// Welch

Result<SampleSummary> Summarize(std::span<const double> values, std::string_view what) {
  Status status;
  if (!AllFinite(values, what, &status)) return status;
  SampleSummary s;
  s.n = static_cast<int64_t>(values.size());
  if (s.n == 0) return s;
  detail::CompensatedSum sum;
  for (double v : values) sum.Add(v);
  s.mean = sum.Value() / static_cast<double>(s.n);
  if (s.n < 2) return s;
  // Corrected two-pass: Σ(v − mean)² − (Σ(v − mean))² / n removes the rounding of the mean.
  detail::CompensatedSum dev, dev2;
  for (double v : values) {
    dev.Add(v - s.mean);
    dev2.Add((v - s.mean) * (v - s.mean));
  }
  const double ss = dev2.Value() - dev.Value() * dev.Value() / static_cast<double>(s.n);
  s.variance = std::max(0.0, ss) / static_cast<double>(s.n - 1);
  return s;
}

Status WelchOptions::Validate() const {
  if (!(level > 0 && level < 1)) {
    return Status::Config("welch: level={} must be strictly between 0 and 1", level);
  }
  return Status::Ok();
}

Result<WelchResult> WelchTest(const SampleSummary& a, const SampleSummary& b,
                              const WelchOptions& options) {
  UPCAMP_RETURN_IF_ERROR(options.Validate());
  for (const auto& [g, name] : {std::pair{&a, "a"}, std::pair{&b, "b"}}) {
    if (g->n < 0) return Status::Data("welch: group {} has n={} < 0", name, g->n);
    if (!std::isfinite(g->mean)) return Status::Data("welch: group {} has mean={}", name, g->mean);
    if (!(std::isfinite(g->variance) && g->variance >= 0)) {
      return Status::Data("welch: group {} has variance={}; it must be finite and >= 0", name,
                          g->variance);
    }
  }
  WelchResult r;
  r.a = a;
  r.b = b;
  r.level = options.level;
  auto undefined = [&r](std::string reason) {
    r.difference = Undefined(reason);
    r.total = Undefined(reason);
    r.relative = Undefined(std::move(reason));
    return r;
  };
  for (const auto& [g, name] : {std::pair{&a, "a"}, std::pair{&b, "b"}}) {
    if (g->n < 2) {
      return undefined(fmt::format(
          "group {} has {} observation(s); its variance, and so the test, needs at least 2", name,
          g->n));
    }
  }
  const auto na = static_cast<double>(a.n);
  const auto nb = static_cast<double>(b.n);
  const double va = a.variance / na;  // squared standard errors of the two means
  const double vb = b.variance / nb;
  const double se2 = va + vb;
  if (se2 == 0) {
    return undefined(fmt::format(
        "both groups have zero variance (every value is {} in a and {} in b), so the standard "
        "error is 0",
        a.mean, b.mean));
  }
  const double se = std::sqrt(se2);
  const double diff = a.mean - b.mean;
  if (!std::isfinite(se2) || !std::isfinite(diff)) {
    return undefined("the difference or its standard error overflows a double");
  }
  // Welch–Satterthwaite, with each group's share of se² so nothing overflows.
  const double fa = va / se2;
  const double fb = vb / se2;
  r.df = 1 / (fa * fa / (na - 1) + fb * fb / (nb - 1));
  r.t_statistic = diff / se;
  r.p_value = StudentTTwoSidedP(r.t_statistic, r.df);
  r.t_critical = StudentTQuantile((1 + options.level) / 2, r.df);
  r.difference = {true, "", diff, se, diff - r.t_critical * se, diff + r.t_critical * se};
  r.total = {true, "", diff * na, se * na, r.difference.lower * na, r.difference.upper * na};
  if (b.mean == 0) {
    r.relative = Undefined("the mean of group b is 0, so a difference relative to it is undefined");
  } else {
    // Delta method for g(ma, mb) = ma/mb − 1 with independent means: the gradient is
    // (1/mb, −ma/mb²), so se² = va/mb² + ma²·vb/mb⁴ = (va + (ma/mb)²·vb) / mb².
    const double rel = diff / b.mean;
    const double ratio = a.mean / b.mean;
    const double se_rel = std::sqrt(va + ratio * ratio * vb) / std::fabs(b.mean);
    const double z = NormalQuantile((1 + options.level) / 2);
    if (std::isfinite(rel) && std::isfinite(se_rel)) {
      r.relative = {true, "", rel, se_rel, rel - z * se_rel, rel + z * se_rel};
    } else {
      r.relative = Undefined(fmt::format(
          "the mean of group b ({}) is so close to 0 that the relative difference overflows",
          b.mean));
    }
  }
  return r;
}

Result<WelchResult> WelchTest(std::span<const double> a, std::span<const double> b,
                              const WelchOptions& options) {
  UPCAMP_RETURN_IF_ERROR(options.Validate());
  UPCAMP_ASSIGN_OR_RETURN(const SampleSummary sa, Summarize(a, "welch: sample a"));
  UPCAMP_ASSIGN_OR_RETURN(const SampleSummary sb, Summarize(b, "welch: sample b"));
  return WelchTest(sa, sb, options);
}

// --------------------------------------------------------------------------------------------
// Sample ratio mismatch

Status SrmOptions::Validate() const {
  if (!(alpha > 0 && alpha < 1)) {
    return Status::Config("srm: alpha={} must be strictly between 0 and 1", alpha);
  }
  return Status::Ok();
}

Result<SrmResult> SampleRatioMismatch(std::span<const int64_t> observed,
                                      std::span<const double> expected, const SrmOptions& options) {
  UPCAMP_RETURN_IF_ERROR(options.Validate());
  if (observed.empty() || observed.size() != expected.size()) {
    return Status::Data(
        "srm: {} observed counts but {} expected shares; need one of each per group",
        observed.size(), expected.size());
  }
  double expected_sum = 0;
  SrmResult r;
  for (size_t g = 0; g < observed.size(); ++g) {
    if (observed[g] < 0)
      return Status::Data("srm: group {} has a negative count {}", g, observed[g]);
    if (!(std::isfinite(expected[g]) && expected[g] >= 0)) {
      return Status::Data("srm: group {} has expected share {}; it must be finite and >= 0", g,
                          expected[g]);
    }
    if (expected[g] == 0 && observed[g] > 0) {
      return Status::Data(
          "srm: group {} has {} observations but an expected share of 0 (the design excludes it)",
          g, observed[g]);
    }
    expected_sum += expected[g];
    r.total += observed[g];
  }
  if (expected_sum == 0) return Status::Data("srm: every expected share is 0");
  const auto total = static_cast<double>(r.total);
  int groups = 0;
  r.min_expected = kInf;
  for (size_t g = 0; g < observed.size(); ++g) {
    const double e = expected[g] / expected_sum * total;
    r.expected.push_back(e);
    if (expected[g] == 0) continue;  // observed is 0 too (checked above): no information
    ++groups;
    r.min_expected = std::min(r.min_expected, e);
    const double d = static_cast<double>(observed[g]) - e;
    if (e > 0) r.chi_square += d * d / e;
  }
  r.df = groups - 1;
  if (r.total == 0) {
    r.reason = "there are no observations";
    r.min_expected = 0;
    return r;
  }
  if (groups < 2) {
    r.reason = "fewer than 2 groups have a positive expected share; there is no ratio to test";
    return r;
  }
  r.defined = true;
  r.p_value = ChiSquareSf(r.chi_square, r.df);
  r.mismatch = r.p_value < options.alpha;
  return r;
}

// --------------------------------------------------------------------------------------------
// Bootstrap of a difference in means

Result<MeanDifferenceBootstrap> BootstrapMeanDifference(std::span<const double> a,
                                                        std::span<const double> b,
                                                        const BootstrapOptions& options,
                                                        const Context& ctx) {
  UPCAMP_RETURN_IF_ERROR(options.Validate());
  UPCAMP_ASSIGN_OR_RETURN(const SampleSummary sa, Summarize(a, "bootstrap: sample a"));
  UPCAMP_ASSIGN_OR_RETURN(const SampleSummary sb, Summarize(b, "bootstrap: sample b"));
  MeanDifferenceBootstrap out;
  for (BootstrapInterval* iv : {&out.difference, &out.relative, &out.total}) {
    iv->replicates = options.replicates;
  }
  if (sa.n == 0 || sb.n == 0) {
    const std::string reason =
        fmt::format("sample {} is empty; a difference in means needs both", sa.n == 0 ? "a" : "b");
    for (BootstrapInterval* iv : {&out.difference, &out.relative, &out.total}) iv->reason = reason;
    return out;
  }
  const auto na = static_cast<double>(sa.n);
  const double diff = sa.mean - sb.mean;
  out.difference.defined = true;
  out.difference.estimate = diff;
  out.total.defined = true;
  out.total.estimate = diff * na;
  if (sb.mean != 0) {
    out.relative.defined = true;
    out.relative.estimate = diff / sb.mean;
  } else {
    out.relative.reason = "the mean of sample b is 0, so a difference relative to it is undefined";
  }

  const auto reps = static_cast<size_t>(options.replicates);
  std::vector<double> diffs(reps), means_b(reps);
  ParallelFor(std::max(1, ctx.threads), reps, [&](size_t r, int) {
    Rng rng(MixSeed(options.seed, r));
    // Plain sums in draw order: the order is fixed by (seed, r), so the result is too.
    double sum_a = 0;
    for (size_t d = 0; d < a.size(); ++d) sum_a += a[rng.UniformInt(a.size())];
    double sum_b = 0;
    for (size_t d = 0; d < b.size(); ++d) sum_b += b[rng.UniformInt(b.size())];
    means_b[r] = sum_b / static_cast<double>(b.size());
    diffs[r] = sum_a / na - means_b[r];
  });

  auto no_reason = [](size_t) { return std::string(); };
  detail::FinishInterval(
      out.difference, reps, [&](size_t r) -> std::optional<double> { return diffs[r]; }, no_reason,
      options);
  detail::FinishInterval(
      out.total, reps, [&](size_t r) -> std::optional<double> { return diffs[r] * na; }, no_reason,
      options);
  if (out.relative.defined) {
    detail::FinishInterval(
        out.relative, reps,
        [&](size_t r) -> std::optional<double> {
          if (means_b[r] == 0) return std::nullopt;
          return diffs[r] / means_b[r];
        },
        [](size_t) { return std::string("the resampled mean of b is 0"); }, options);
  }
  return out;
}

}  // namespace upcamp::metrics
