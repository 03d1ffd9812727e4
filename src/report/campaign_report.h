#pragma once
// The campaign report, `report.html` of a campaign run (issue 6, part 3): the campaign summary,
// the selection (each base filter and how many clients it removed), the score distribution with
// the threshold, groups × treatments, and — after `campaign evaluate` — the sample-ratio check,
// the effects with their confidence intervals, and the model's out-of-sample quality.
// Built from plain numbers; campaign/ fills the struct, this module lays out the page.
//
//   CampaignReport r;
//   r.summary = {{"campaign", "spring_offer"}, {"date_to", "2019-03-19"}, ...};
//   r.base_clients = 400000;
//   r.filters = {{"recent", "time_since_last__30d <= 30", 120000, 3000}, ...};
//   r.assignment = {{"targeted", "random_target", "control"}, {"offer", "no_offer"}, counts};
//   r.scores = all_scores;  r.threshold = 0.012;  r.threshold_rule = "bundle's suggestion";
//   if (evaluated) { r.evaluated = true; r.srm = ...; r.effects = ...; r.curves = ...; }
//   UPCAMP_RETURN_IF_ERROR(BuildCampaignReport(r).Write(run_dir + "/report.html"));

#include <cstdint>
#include <string>
#include <vector>

#include "report/html.h"
#include "report/uplift_charts.h"

namespace upcamp::report {

/// One base filter, in the order applied.
struct FilterStep {
  std::string name;
  std::string expression;
  /// Clients this step removed (those missing an input included).
  int64_t removed = 0;
  /// Of them, clients removed because an input of the expression was missing; −1 = not counted.
  int64_t missing_input = -1;
};

/// Clients per group (rows) and treatment (columns): counts[g][t].
struct GroupCounts {
  std::vector<std::string> groups;
  std::vector<std::string> treatments;
  std::vector<std::vector<int64_t>> counts;
};

/// The sample-ratio-mismatch check: observed group sizes against the design.
struct SrmCheck {
  bool computed = false;
  std::vector<std::string> groups;
  std::vector<int64_t> observed;
  std::vector<double> expected;
  double chi_square = kUndefined;
  double p_value = kUndefined;
  /// p below the alarm level (e.g. 0.001): shown as an alert at the top of the evaluation.
  bool flagged = false;
};

/// One comparison, a difference in mean outcome "A − B". NaN = not computed (column omitted
/// when NaN in every row).
struct Effect {
  std::string comparison;  // "targeted offer vs control above threshold"
  int64_t n_a = -1;        // clients in A and B (−1 = not given)
  int64_t n_b = -1;
  double mean_a = kUndefined;
  double mean_b = kUndefined;
  /// Per client, absolute: estimate with the Welch 95% interval and p-value.
  double estimate = kUndefined;
  double lower = kUndefined;
  double upper = kUndefined;
  double p_value = kUndefined;
  /// Bootstrap 95% interval of the same estimate.
  double bootstrap_lower = kUndefined;
  double bootstrap_upper = kUndefined;
  /// Relative to mean_b (a fraction: 0.12 = +12%).
  double relative = kUndefined;
  double relative_lower = kUndefined;
  double relative_upper = kUndefined;
  /// In total over A's clients (estimate × n_a), with its interval.
  double total = kUndefined;
  double total_lower = kUndefined;
  double total_upper = kUndefined;
};

struct CampaignReport {
  std::string title = "upcamp campaign report";
  std::string subtitle;
  /// Campaign id, dates, seed, config file, bundle (path, model type, checksum), run id…
  KeyValues summary;
  /// Clients before the filters; −1 = unknown (then "remaining" is not shown).
  int64_t base_clients = -1;
  std::vector<FilterStep> filters;
  /// The optional random subset, e.g. "50% of the filtered clients"; empty = none.
  std::string subset;
  /// Clients after filters and subset; −1 = unknown.
  int64_t selected_clients = -1;
  GroupCounts assignment;
  /// Every selected client's score (control included); binned into `score_bins` bins.
  std::vector<double> scores;
  int score_bins = 50;
  /// NaN = no threshold (constant treatments).
  double threshold = kUndefined;
  std::string threshold_rule;
  std::string score_label = "score (predicted uplift)";

  /// Evaluation (after `upcamp campaign evaluate`); nothing of it is shown when false.
  bool evaluated = false;
  /// What the outcome is, e.g. "profit = 0.2*target_purchases_sum − …".
  std::string outcome;
  SrmCheck srm;
  std::vector<Effect> effects;
  /// Out-of-sample model quality on random target + control.
  std::vector<MetricValue> model_metrics;
  UpliftCurves curves;
  std::vector<DecileRow> deciles;

  std::vector<std::string> warnings;
  std::string footer;
};

/// Sections: Campaign, Selection, Scores, Groups and treatments, then (evaluated) Sample ratio
/// check, Effects, Model quality — or a note that the campaign has not been evaluated yet.
HtmlPage BuildCampaignReport(const CampaignReport& report);

}  // namespace upcamp::report
