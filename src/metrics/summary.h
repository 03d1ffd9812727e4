#pragma once
// The JSON object `upcamp metrics` prints (INTERFACE.md): the headline scalar metrics, the
// uplift-by-percentile table and, optionally, bootstrap intervals — built from one ranking.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "core/context.h"
#include "core/status.h"
#include "metrics/bootstrap.h"
#include "metrics/percentile.h"
#include "metrics/registry.h"
#include "metrics/sample.h"

namespace upcamp::metrics {

struct SummaryOptions {
  /// k, bins and negative_effect for the scalar metrics and the percentile table.
  MetricParams params;
  /// How the percentile table cuts its bins.
  Strategy percentile_strategy = Strategy::kOverall;
  /// If set, adds bootstrap intervals for every scalar metric in the summary.
  std::optional<BootstrapOptions> bootstrap;
};

/// Builds:
///   {
///     "rows": N, "n_treatment": Nt, "n_control": Nc, "outcome": "binary" | "continuous",
///     "params": {"k": 0.3, "k_count": null, "bins": 10, "negative_effect": true},
///     "qini_auc": x, "uplift_auc": x, "uplift_at_k_overall": x, "uplift_at_k_by_group": x,
///     "weighted_average_uplift": x, "total_uplift": x,
///     "undefined": {"<metric>": "<why>", ...},          // metrics whose value is null
///     "uplift_by_percentile": {"strategy": "overall", "bins": 10,
///        "rows": [{"percentile": "0-10", "n_treatment": .., "n_control": ..,
///                  "response_rate_treatment": .., "response_rate_control": .., "uplift": ..,
///                  "std_treatment": .., "std_control": .., "std_uplift": ..}, ...],
///        "total": {...}},                               // or null, reason in "undefined"
///     "bootstrap": {"method": "percentile", "level": .., "replicates": .., "seed": ..,
///        "stratified": .., "intervals": {"<metric>": {"lower": .., "upper": ..,
///        "std_error": .., "undefined_replicates": ..} or {"lower": null, "upper": null,
///        "reason": ".."}}}                              // only with options.bootstrap
///   }
/// A metric that is undefined on this data is null with its reason in "undefined" — never NaN.
/// Errors: invalid input columns (RankedSample::Make) and invalid options.
Result<nlohmann::json> MetricsSummary(std::span<const double> score,
                                      std::span<const uint8_t> treatment,
                                      std::span<const double> outcome,
                                      const SummaryOptions& options, const Context& ctx);
/// The same from an already ranked sample.
Result<nlohmann::json> MetricsSummary(const RankedSample& sample, const SummaryOptions& options,
                                      const Context& ctx);

/// A percentile row as JSON; undefined values are null.
nlohmann::json PercentileRowJson(const PercentileRow& row);

}  // namespace upcamp::metrics
