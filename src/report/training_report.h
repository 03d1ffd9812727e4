#pragma once
// The one-page training report of `upcamp train` (issue 4): what was trained on what, the
// validation metrics, Qini and uplift curves against random and perfect, uplift by decile, and
// feature importance. Built from plain numbers; the caller (cli/train) copies them out of the
// metrics and the model.
//
//   TrainingReport r;
//   r.subtitle = "t_learner, validation on 20% of train.csv (80 000 clients)";
//   r.summary = {{"model", "t_learner"}, {"seed", "42"}, {"bundle", "model/"}};
//   r.metrics = {{"qini_auc", 0.213, 0.18, 0.24, "bootstrap 95%"}, ...};
//   r.curves.qini = {curve.n, curve.value};  ...
//   r.deciles = ...;  r.feature_importance = {{"age", 0.12}, ...};
//   UPCAMP_RETURN_IF_ERROR(BuildTrainingReport(r).Write(bundle_dir + "/report.html"));

#include <string>
#include <utility>
#include <vector>

#include "report/html.h"
#include "report/uplift_charts.h"

namespace upcamp::report {

struct TrainingReport {
  std::string title = "upcamp training report";
  std::string subtitle;
  /// Model type and parameters, data, target, split, seed, bundle path, training time…
  KeyValues summary;
  /// Validation metrics in the order to show.
  std::vector<MetricValue> metrics;
  /// Curves on the validation set.
  UpliftCurves curves;
  std::vector<DecileRow> deciles;
  /// (feature, importance) in any order; shown largest first, the top `max_features` of them.
  std::vector<std::pair<std::string, double>> feature_importance;
  /// What the importance measures, e.g. "total gain" (the chart's axis label).
  std::string importance_kind = "importance";
  size_t max_features = 30;
  /// Set when the model was trained without validation: shown (as a warning) in place of the
  /// metrics and the charts, which then stay out even if given.
  std::string no_validation;
  /// Messages to show prominently (e.g. "normalized Qini above 1: see docs/metrics.md").
  std::vector<std::string> warnings;
  std::string footer;
};

/// Sections: Summary, Validation metrics, Model quality (charts), Feature importance.
HtmlPage BuildTrainingReport(const TrainingReport& report);

}  // namespace upcamp::report
