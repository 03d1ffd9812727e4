#include "metrics/summary.h"

#include <array>
#include <string_view>
#include <vector>

#include "metrics/percentile.h"

namespace upcamp::metrics {
namespace {

// The scalar metrics the summary reports, in output order.
constexpr std::array<std::string_view, 6> kSummaryMetrics = {"qini_auc",
                                                             "uplift_auc",
                                                             "uplift_at_k_overall",
                                                             "uplift_at_k_by_group",
                                                             "weighted_average_uplift",
                                                             "total_uplift"};

nlohmann::json Optional(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json PercentileRowJson(const PercentileRow& row) {
  return {{"percentile", row.percentile},
          {"n_treatment", row.n_treatment},
          {"n_control", row.n_control},
          {"response_rate_treatment", Optional(row.response_rate_treatment)},
          {"response_rate_control", Optional(row.response_rate_control)},
          {"uplift", Optional(row.uplift)},
          {"std_treatment", Optional(row.std_treatment)},
          {"std_control", Optional(row.std_control)},
          {"std_uplift", Optional(row.std_uplift)}};
}

Result<nlohmann::json> MetricsSummary(const RankedSample& sample, const SummaryOptions& options,
                                      const Context& ctx) {
  UPCAMP_RETURN_IF_ERROR(options.params.Validate());
  if (options.bootstrap) UPCAMP_RETURN_IF_ERROR(options.bootstrap->Validate());
  const MetricParams& p = options.params;

  nlohmann::json out = nlohmann::json::object();
  out["rows"] = sample.size();
  out["n_treatment"] = sample.n_treated();
  out["n_control"] = sample.n_control();
  out["outcome"] = sample.binary_outcome() ? "binary" : "continuous";
  out["params"] = {{"k", p.k},
                   {"k_count", p.k_count > 0 ? nlohmann::json(p.k_count) : nlohmann::json()},
                   {"bins", p.bins},
                   {"negative_effect", p.negative_effect}};
  nlohmann::json undefined = nlohmann::json::object();

  std::vector<const ScalarMetric*> metrics;
  for (std::string_view name : kSummaryMetrics) {
    UPCAMP_ASSIGN_OR_RETURN(const ScalarMetric* m, FindScalarMetric(name));
    metrics.push_back(m);
    auto value = m->compute(sample, p);
    if (value.ok()) {
      out[std::string(name)] = *value;
    } else {
      out[std::string(name)] = nullptr;
      undefined[std::string(name)] = value.status().message();
    }
  }

  auto table = UpliftByPercentile(sample, options.percentile_strategy, p.bins);
  if (table.ok()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const PercentileRow& row : table->rows) rows.push_back(PercentileRowJson(row));
    out["uplift_by_percentile"] = {{"strategy", StrategyName(table->strategy)},
                                   {"bins", table->bins},
                                   {"rows", std::move(rows)},
                                   {"total", PercentileRowJson(table->total)}};
  } else {
    out["uplift_by_percentile"] = nullptr;
    undefined["uplift_by_percentile"] = table.status().message();
  }
  out["undefined"] = std::move(undefined);

  if (options.bootstrap) {
    const BootstrapOptions& b = *options.bootstrap;
    std::vector<SampleMetric> fns;
    for (const ScalarMetric* m : metrics) {
      fns.emplace_back([m, p](const RankedSample& s) { return m->compute(s, p); });
    }
    UPCAMP_ASSIGN_OR_RETURN(auto intervals, BootstrapAll(sample, fns, b, ctx));
    nlohmann::json by_metric = nlohmann::json::object();
    for (size_t j = 0; j < metrics.size(); ++j) {
      const BootstrapInterval& iv = intervals[j];
      if (iv.defined) {
        by_metric[std::string(metrics[j]->name)] = {
            {"lower", iv.lower},
            {"upper", iv.upper},
            {"std_error", iv.std_error},
            {"undefined_replicates", iv.undefined_replicates}};
      } else {
        by_metric[std::string(metrics[j]->name)] = {
            {"lower", nullptr}, {"upper", nullptr}, {"reason", iv.reason}};
      }
    }
    out["bootstrap"] = {{"method", "percentile"},     {"level", b.level},
                        {"replicates", b.replicates}, {"seed", b.seed},
                        {"stratified", b.stratified}, {"intervals", std::move(by_metric)}};
  }
  return out;
}

Result<nlohmann::json> MetricsSummary(std::span<const double> score,
                                      std::span<const uint8_t> treatment,
                                      std::span<const double> outcome,
                                      const SummaryOptions& options, const Context& ctx) {
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return MetricsSummary(sample, options, ctx);
}

}  // namespace upcamp::metrics
