#pragma once
// The explicit table of scalar uplift metrics, by name: what `upcamp list metrics` prints, what
// training validation and bootstrap intervals loop over. Names are the vocabulary used in
// configs, CLI output and model manifests. Adding a metric = one row in registry.cc.

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

/// Parameters shared by the scalar metrics; each metric reads the ones it needs.
struct MetricParams {
  /// uplift_at_k_*: the top fraction of rows, in (0, 1).
  double k = 0.3;
  /// uplift_at_k_*: if > 0, a top row count used instead of the fraction (sklift's int k).
  int64_t k_count = 0;
  /// weighted_average_uplift*: number of percentile bins, 1 <= bins < rows.
  int bins = 10;
  /// qini_auc: whether the perfect Qini curve includes negative effects (sklift's default).
  bool negative_effect = true;

  /// Config error naming the field and value.
  Status Validate() const;
};

/// One registered scalar metric.
struct ScalarMetric {
  /// Stable name, e.g. "qini_auc".
  std::string_view name;
  /// One line for `upcamp list metrics`.
  std::string_view summary;
  /// Needs a 0/1 outcome with both values present (the normalized AUCs).
  bool binary_outcome_only;
  /// Computes the metric; undefined values are data errors "<name> is undefined: <why>".
  Result<double> (*compute)(const RankedSample& sample, const MetricParams& params);

  /// Validates params and the input columns, ranks them and computes.
  Result<double> Evaluate(std::span<const double> score, std::span<const uint8_t> treatment,
                          std::span<const double> outcome, const MetricParams& params) const;
};

/// Every scalar metric, in a fixed order (the order of `upcamp list metrics`).
std::span<const ScalarMetric> ScalarMetrics();

/// The metric called `name`; an unknown name is a config error listing the valid ones.
Result<const ScalarMetric*> FindScalarMetric(std::string_view name);

/// FindScalarMetric(name)->Evaluate(...).
Result<double> ComputeScalarMetric(std::string_view name, std::span<const double> score,
                                   std::span<const uint8_t> treatment,
                                   std::span<const double> outcome, const MetricParams& params);

}  // namespace upcamp::metrics
