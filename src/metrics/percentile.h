#pragma once
// Response rate and uplift by percentile of the ranking, and the weighted average uplift —
// sklift's `response_rate_by_percentile`, `uplift_by_percentile` and `weighted_average_uplift`.
//
// Bins follow np.array_split: `bins` consecutive pieces, the first (size % bins) of them one row
// longer than the rest.
//  - overall: the whole ranking is split; each bin's treated and control rows are summarized.
//  - by_group: the treated rows (in ranking order) are split into `bins` pieces, and separately
//    the control rows; bin b pairs the b-th piece of each group.
// A bin can hold no row of a group (by_group with fewer rows than bins, or an overall bin that
// happens to be all treated); its rate, variance, uplift and std are then std::nullopt
// ("undefined"), where sklift would print NaN.
//
// Outcomes: sklift accepts 0/1 outcomes only. We accept any finite outcome: the "response rate"
// is then the mean outcome, and its variance is the variance of that mean, var(y)/n with the
// population variance — which for a 0/1 outcome is exactly sklift's p·(1−p)/n (and for 0/1 data
// the code uses that very formula, to match sklift bit for bit).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

enum class Group { kTreatment, kControl };

/// One group's statistics per bin (sklift `response_rate_by_percentile`).
struct GroupBins {
  /// Rows of the group in each bin.
  std::vector<int64_t> n;
  /// Mean outcome of the group's rows in the bin; nullopt when n = 0.
  std::vector<std::optional<double>> response_rate;
  /// Variance of that mean: p·(1−p)/n for 0/1 outcomes, population variance / n otherwise;
  /// nullopt when n = 0.
  std::vector<std::optional<double>> variance;
};

/// Data error if either treatment group is empty, or unless 1 <= bins < N (sklift's rule).
Result<GroupBins> ResponseRateByPercentile(const RankedSample& sample, Group group,
                                           Strategy strategy = Strategy::kOverall, int bins = 10);

/// One row of the uplift-by-percentile table.
struct PercentileRow {
  /// "0-10", "10-20", ... (sklift's string percentiles: round(100·b/bins), Python rounding —
  /// half to even, so bins = 8 gives "0-12", "12-25", "25-38", ...), or "total".
  std::string percentile;
  int64_t n_treatment = 0;
  int64_t n_control = 0;
  std::optional<double> response_rate_treatment;
  std::optional<double> response_rate_control;
  /// response_rate_treatment − response_rate_control.
  std::optional<double> uplift;
  /// sqrt of the group's variance (see GroupBins::variance).
  std::optional<double> std_treatment;
  std::optional<double> std_control;
  /// sqrt(variance_treatment + variance_control): the two groups are independent samples.
  std::optional<double> std_uplift;
};

/// sklift `uplift_by_percentile(..., std=True, total=True)`.
struct PercentileTable {
  Strategy strategy = Strategy::kOverall;
  int bins = 10;
  std::vector<PercentileRow> rows;
  /// All rows together (sklift's bins=1 "total" row). Its std_* are the standard deviations of
  /// the whole-sample rates; sklift instead prints the *sum* of the per-bin stds there, which
  /// is not the standard deviation of anything, so we deliberately differ (docs/metrics.md).
  PercentileRow total;
};

/// Same errors as ResponseRateByPercentile.
Result<PercentileTable> UpliftByPercentile(const RankedSample& sample,
                                           Strategy strategy = Strategy::kOverall, int bins = 10);
Result<PercentileTable> UpliftByPercentile(std::span<const double> score,
                                           std::span<const uint8_t> treatment,
                                           std::span<const double> outcome,
                                           Strategy strategy = Strategy::kOverall, int bins = 10);

/// Weighted average uplift (sklift `weighted_average_uplift`): the per-bin uplifts averaged
/// with the bins' treated counts as weights, Σ n_t,b · uplift_b / Σ n_t,b. Outcome units.
/// Same errors as ResponseRateByPercentile, plus "undefined" (data error) when some bin has no
/// treated or no control row (sklift returns NaN).
Result<double> WeightedAverageUplift(const RankedSample& sample,
                                     Strategy strategy = Strategy::kOverall, int bins = 10);
Result<double> WeightedAverageUplift(std::span<const double> score,
                                     std::span<const uint8_t> treatment,
                                     std::span<const double> outcome,
                                     Strategy strategy = Strategy::kOverall, int bins = 10);

/// The `bins` labels "0-p1", "p1-p2", ... with p_b = round(100·b/bins) rounded half to even.
std::vector<std::string> PercentileLabels(int bins);

}  // namespace upcamp::metrics
