#pragma once
// Uplift and Qini curves, their perfect (oracle) curves, normalized areas under them, and the
// treatment balance curve — scikit-uplift's definitions, reproduced to 1e-9.
//
// Notation for a prefix of the ranking (see sample.h for the order) holding n rows:
//   Nt, Nc = treated / control rows in it,  Yt, Yc = sum of the outcome over them.
// A curve has a point at n = 0 (value 0) and at the last row of every block of tied scores,
// so its last point is at n = N (all rows). Units: n in rows; uplift-curve values in outcome
// units × rows; Qini values in outcome units (for a 0/1 outcome: incremental responders).

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

/// Points of a curve, x = `n`, y = `value`; both of the same length, n non-decreasing.
struct Curve {
  std::vector<double> n;
  std::vector<double> value;
};

/// Uplift curve (sklift `uplift_curve`): value(n) = (Yt/Nt − Yc/Nc) · n, where a ratio with a
/// zero denominator counts as 0 (so a prefix with no control rows gives Yt/Nt · n).
/// Defined for any finite outcome. Data error if either treatment group is empty.
Result<Curve> UpliftCurve(const RankedSample& sample);
Result<Curve> UpliftCurve(std::span<const double> score, std::span<const uint8_t> treatment,
                          std::span<const double> outcome);

/// Qini curve (sklift `qini_curve`): value(n) = Yt − Yc · Nt/Nc, with Nt/Nc taken as 0 when
/// Nc = 0 (so a prefix with no control rows gives Yt). Defined for any finite outcome.
/// Data error if either treatment group is empty.
Result<Curve> QiniCurve(const RankedSample& sample);
Result<Curve> QiniCurve(std::span<const double> score, std::span<const uint8_t> treatment,
                        std::span<const double> outcome);

/// Perfect uplift curve (sklift `perfect_uplift_curve`): the uplift curve of the oracle score
/// 2·[y = t] + (y if CR > TN else t), with CR = #(y=1, t=0) control responders and
/// TN = #(y=0, t=1) treated non-responders. It ranks treated responders first, control
/// non-responders second, then the larger of CR and TN (TN on a tie), the other one last.
/// The score is ignored. Needs a binary outcome with both values present and both groups
/// (data error otherwise; see docs/metrics.md for why continuous outcomes have no honest
/// perfect curve).
Result<Curve> PerfectUpliftCurve(const RankedSample& sample);
Result<Curve> PerfectUpliftCurve(std::span<const uint8_t> treatment,
                                 std::span<const double> outcome);

/// Perfect Qini curve (sklift `perfect_qini_curve`).
///  - negative_effect = true (sklift's default): the Qini curve of the oracle score
///    y·t − y·(1−t) — treated responders first, control responders last, so the curve rises,
///    stays flat, then falls to the overall Qini value.
///  - negative_effect = false: the three points (0, 0), (R, R), (N, R) with
///    R = Yt − Nt·Yc/Nc the overall Qini value: the best curve if the campaign had no negative
///    effects. Data error if R < 0 (sklift fails there too: the x values are not monotone).
/// Same outcome/group requirements as PerfectUpliftCurve.
Result<Curve> PerfectQiniCurve(const RankedSample& sample, bool negative_effect = true);
Result<Curve> PerfectQiniCurve(std::span<const uint8_t> treatment, std::span<const double> outcome,
                               bool negative_effect = true);

/// Trapezoidal area under a curve (sklearn `auc`): Σ (n[i+1]−n[i]) · (v[i]+v[i+1]) / 2.
/// Units: rows × curve units. Empty or one-point curves have area 0.
double AreaUnderCurve(const Curve& curve);

/// Normalized area under the uplift curve (sklift `uplift_auc_score`):
///   (A − A_random) / (A_perfect − A_random),
/// A = area of UpliftCurve, A_perfect = area of PerfectUpliftCurve, A_random = area of the
/// straight line from (0, 0) to the perfect curve's last point (= N · value(N) / 2).
/// 1 for the oracle ranking, about 0 for a random one; may be negative, and may exceed 1:
/// sklift's perfect curves are not upper bounds of its own curves (a prefix without treated
/// rows is not penalized for control responders; docs/metrics.md). Dimensionless.
/// Data error (undefined) when PerfectUpliftCurve is, or when A_perfect = A_random.
Result<double> UpliftAucScore(const RankedSample& sample);
Result<double> UpliftAucScore(std::span<const double> score, std::span<const uint8_t> treatment,
                              std::span<const double> outcome);

/// Normalized area under the Qini curve, the Qini coefficient (sklift `qini_auc_score`):
/// as UpliftAucScore with QiniCurve and PerfectQiniCurve(negative_effect).
Result<double> QiniAucScore(const RankedSample& sample, bool negative_effect = true);
Result<double> QiniAucScore(std::span<const double> score, std::span<const uint8_t> treatment,
                            std::span<const double> outcome, bool negative_effect = true);

/// Treatment balance curve (sklift `treatment_balance_curve`): the share of treated rows in a
/// sliding window of `window` consecutive rows of the ranking.
struct BalanceCurve {
  /// x: np.linspace(1, 100, points) — the window position as a percent-like index 1..100.
  std::vector<double> percentile;
  /// y: treated rows in the window / window, in [0, 1]; N − window + 1 points.
  std::vector<double> treated_share;
};

/// `window` must be in [1, N] (data error otherwise; sklift's np.convolve would silently swap
/// its arguments for window > N). Needs no outcome and does not require both groups.
Result<BalanceCurve> TreatmentBalanceCurve(const RankedSample& sample, int64_t window);
Result<BalanceCurve> TreatmentBalanceCurve(std::span<const double> score,
                                           std::span<const uint8_t> treatment, int64_t window);

/// The window sklift's plot_treatment_balance_curve uses by default: int(N · 0.1).
int64_t DefaultBalanceWindow(size_t rows, double fraction = 0.1);

}  // namespace upcamp::metrics
