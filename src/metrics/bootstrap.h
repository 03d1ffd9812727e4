#pragma once
// Bootstrap percentile confidence intervals for scalar uplift metrics.
//
// Replicate r resamples the N rows with replacement — or, stratified, the Nt treated rows among
// the treated and the Nc control rows among the control, so every replicate keeps the group
// sizes — drawing from Rng(MixSeed(seed, r)). Each replicate depends only on (seed, r) and the
// data, never on the thread count or on which thread runs it, so intervals are identical for
// any number of threads. A replicate is built in O(N) from the ranked sample (row multiplicities,
// no re-sort), and several metrics can share the same replicates.
//
// Interval: the percentile method — the (1−level)/2 and (1+level)/2 quantiles of the replicate
// values, with linear interpolation between order statistics (numpy's default quantile).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

struct BootstrapOptions {
  /// Number of bootstrap replicates, >= 2. 1000 or more for 95% intervals.
  int replicates = 1000;
  /// Two-sided confidence level, in (0, 1).
  double level = 0.95;
  /// Seed of the resampling; replicate r uses Rng(MixSeed(seed, r)).
  uint64_t seed = 0;
  /// Resample treated and control rows separately (fixed group sizes), as in a randomized test
  /// whose arm sizes are fixed by design.
  bool stratified = false;
  /// Largest share of replicates on which the metric may be undefined (e.g. a top-k slice
  /// without control rows) before the interval itself is declared undefined. Undefined
  /// replicates are dropped, which conditions the interval on the metric being defined, so the
  /// default tolerates none.
  double max_undefined_fraction = 0.0;

  /// Config error naming the field and value.
  Status Validate() const;
};

/// A percentile interval, or the reason there is none.
struct BootstrapInterval {
  /// False when the metric is undefined on the full sample, or on too many replicates.
  bool defined = false;
  /// Why the interval is undefined (empty when defined).
  std::string reason;
  /// The metric on the full sample.
  double estimate = 0;
  double lower = 0;
  double upper = 0;
  /// Standard deviation of the defined replicate values (n − 1 denominator).
  double std_error = 0;
  /// Replicates drawn, and how many of them gave an undefined metric (dropped).
  int replicates = 0;
  int undefined_replicates = 0;
  /// The defined replicate values, in replicate order.
  std::vector<double> values;
};

/// A scalar metric of a ranked sample. Must be thread-safe (pure).
using SampleMetric = std::function<Result<double>(const RankedSample&)>;

/// Intervals for several metrics computed on the same replicates (one resample per replicate,
/// shared by all metrics). Runs on ctx.threads threads; ctx.seed is not used — the seed is part
/// of the options so that an interval is reproducible from its request alone.
/// Errors: config error for invalid options; data error if the sample is empty. A metric that
/// is undefined gives an interval with defined = false and the reason, not an error.
Result<std::vector<BootstrapInterval>> BootstrapAll(const RankedSample& sample,
                                                    std::span<const SampleMetric> metrics,
                                                    const BootstrapOptions& options,
                                                    const Context& ctx);

/// One metric; an undefined interval is returned as a data error carrying the reason.
Result<BootstrapInterval> Bootstrap(const RankedSample& sample, const SampleMetric& metric,
                                    const BootstrapOptions& options, const Context& ctx);

/// The q-quantile (q in [0, 1]) of sorted values, linear interpolation (numpy's default).
/// `sorted` must be non-empty and sorted ascending.
double Quantile(std::span<const double> sorted, double q);

namespace detail {

/// Completes `iv` (estimate and defined already set) from one metric's replicate values:
/// value(r), r in [0, replicates), is the metric on replicate r or nullopt where it is
/// undefined (reason(r) says why). Sets values, undefined_replicates, the percentile interval
/// and std_error — or defined = false with the reason when too many replicates are undefined.
/// Shared by BootstrapAll and BootstrapMeanDifference (stat_tests.h).
void FinishInterval(BootstrapInterval& iv, size_t replicates,
                    const std::function<std::optional<double>(size_t)>& value,
                    const std::function<std::string(size_t)>& reason,
                    const BootstrapOptions& options);

}  // namespace detail

}  // namespace upcamp::metrics
