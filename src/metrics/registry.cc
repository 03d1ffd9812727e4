#include "metrics/registry.h"

#include <array>
#include <string>

#include "metrics/checks.h"
#include "metrics/curves.h"
#include "metrics/percentile.h"
#include "metrics/uplift_at_k.h"

namespace upcamp::metrics {
namespace {

TopK TopKOf(const MetricParams& p) {
  return p.k_count > 0 ? TopK::Count(p.k_count) : TopK::Fraction(p.k);
}

Result<double> TotalUplift(const RankedSample& sample, const MetricParams&) {
  UPCAMP_RETURN_IF_ERROR(detail::RequireBothGroups(sample, "total_uplift"));
  detail::CompensatedSum sum_t, sum_c;
  const auto t = sample.treatment();
  const auto y = sample.outcome();
  for (size_t i = 0; i < sample.size(); ++i) (t[i] ? sum_t : sum_c).Add(y[i]);
  return sum_t.Value() / static_cast<double>(sample.n_treated()) -
         sum_c.Value() / static_cast<double>(sample.n_control());
}

constexpr std::array kMetrics = {
    ScalarMetric{"qini_auc",
                 "Qini coefficient: area between the Qini curve and the random line, divided by "
                 "the perfect curve's (sklift qini_auc_score; 0/1 outcome)",
                 true,
                 [](const RankedSample& s, const MetricParams& p) {
                   return QiniAucScore(s, p.negative_effect);
                 }},
    ScalarMetric{"uplift_auc",
                 "normalized area under the uplift curve, 1 = perfect, 0 = random "
                 "(sklift uplift_auc_score; 0/1 outcome)",
                 true,
                 [](const RankedSample& s, const MetricParams&) { return UpliftAucScore(s); }},
    ScalarMetric{"uplift_at_k_overall",
                 "treated minus control mean outcome among the top k of all rows "
                 "(sklift uplift_at_k, strategy='overall')",
                 false,
                 [](const RankedSample& s, const MetricParams& p) {
                   return UpliftAtK(s, TopKOf(p), Strategy::kOverall);
                 }},
    ScalarMetric{"uplift_at_k_by_group",
                 "mean outcome of the top k of treated minus that of the top k of control "
                 "(sklift uplift_at_k, strategy='by_group')",
                 false,
                 [](const RankedSample& s, const MetricParams& p) {
                   return UpliftAtK(s, TopKOf(p), Strategy::kByGroup);
                 }},
    ScalarMetric{"weighted_average_uplift",
                 "per-percentile uplift averaged with treated counts as weights "
                 "(sklift weighted_average_uplift, strategy='overall')",
                 false,
                 [](const RankedSample& s, const MetricParams& p) {
                   return WeightedAverageUplift(s, Strategy::kOverall, p.bins);
                 }},
    ScalarMetric{"weighted_average_uplift_by_group",
                 "as weighted_average_uplift, with bins cut within each group "
                 "(strategy='by_group')",
                 false,
                 [](const RankedSample& s, const MetricParams& p) {
                   return WeightedAverageUplift(s, Strategy::kByGroup, p.bins);
                 }},
    ScalarMetric{"total_uplift",
                 "treated minus control mean outcome over all rows: the average treatment "
                 "effect of a randomized test (ignores the score)",
                 false, &TotalUplift},
};

}  // namespace

Status MetricParams::Validate() const {
  if (k_count > 0) {
    UPCAMP_RETURN_IF_ERROR(TopK::Count(k_count).Validate());
  } else {
    if (k_count < 0) return Status::Config("metrics: k_count={} must not be negative", k_count);
    UPCAMP_RETURN_IF_ERROR(TopK::Fraction(k).Validate());
  }
  if (bins < 1) return Status::Config("metrics: bins={} must be a positive integer", bins);
  return Status::Ok();
}

Result<double> ScalarMetric::Evaluate(std::span<const double> score,
                                      std::span<const uint8_t> treatment,
                                      std::span<const double> outcome,
                                      const MetricParams& params) const {
  UPCAMP_RETURN_IF_ERROR(params.Validate());
  UPCAMP_ASSIGN_OR_RETURN(auto sample, RankedSample::Make(score, treatment, outcome));
  return compute(sample, params);
}

std::span<const ScalarMetric> ScalarMetrics() {
  return kMetrics;
}

Result<const ScalarMetric*> FindScalarMetric(std::string_view name) {
  std::string valid;
  for (const ScalarMetric& m : kMetrics) {
    if (m.name == name) return &m;
    valid += valid.empty() ? "" : ", ";
    valid += m.name;
  }
  return Status::Config("unknown metric '{}'; valid metrics: {}", name, valid);
}

Result<double> ComputeScalarMetric(std::string_view name, std::span<const double> score,
                                   std::span<const uint8_t> treatment,
                                   std::span<const double> outcome, const MetricParams& params) {
  UPCAMP_ASSIGN_OR_RETURN(const ScalarMetric* metric, FindScalarMetric(name));
  return metric->Evaluate(score, treatment, outcome, params);
}

}  // namespace upcamp::metrics
