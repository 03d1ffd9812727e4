#include "sample_reports.h"

#include <cmath>
#include <string>

namespace upcamp::testing {

namespace {

// A deterministic stand-in for a random sequence (no RNG dependency, same on every machine).
double Wiggle(size_t i) {
  return std::sin(static_cast<double>(i) * 12.9898) * 0.5;
}

report::UpliftCurves SampleCurves(size_t n) {
  report::UpliftCurves c;
  const double total = 0.02 * static_cast<double>(n);  // 2% incremental responders overall
  c.qini.n.resize(n + 1);
  c.qini.value.resize(n + 1);
  c.uplift.n.resize(n + 1);
  c.uplift.value.resize(n + 1);
  for (size_t i = 0; i <= n; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(n);
    // Concave: the model finds the persuadable clients first, then sleeping dogs pull it down.
    const double v = total * (1.8 * t - 0.8 * t * t) + (i > 0 && i < n ? Wiggle(i) : 0);
    c.qini.n[i] = c.uplift.n[i] = static_cast<double>(i);
    c.qini.value[i] = v;
    c.uplift.value[i] = v * 1.1;
  }
  const double nd = static_cast<double>(n);
  c.qini_perfect = {{0, 0.05 * nd, 0.9 * nd, nd}, {0, 0.05 * nd, 0.05 * nd, total}};
  c.uplift_perfect = {{0, 0.1 * nd, nd}, {0, 0.08 * nd * 1.1, total * 1.1}};
  return c;
}

std::vector<report::DecileRow> SampleDeciles(size_t n) {
  std::vector<report::DecileRow> rows;
  for (int d = 0; d < 10; ++d) {
    report::DecileRow r;
    r.label = std::to_string(d * 10) + "-" + std::to_string(d * 10 + 10);
    r.n_treatment = static_cast<int64_t>(n / 20);
    r.n_control = static_cast<int64_t>(n / 20);
    r.response_control = 0.10;
    r.uplift = 0.05 - 0.008 * d;  // negative in the last deciles
    r.response_treatment = r.response_control + r.uplift;
    r.std_uplift = 0.004;
    rows.push_back(r);
  }
  rows[9].uplift = report::kUndefined;  // an undefined bin is shown as n/a
  return rows;
}

}  // namespace

report::TrainingReport SampleTrainingReport(size_t clients) {
  report::TrainingReport r;
  r.subtitle = "t_learner on synthetic data, validation on 20% of the clients";
  r.summary = {{"model", "t_learner (xgboost, 200 trees, depth 6)"},
               {"target", "0.2*target_purchases_sum - 0.1*target_campaign_points_spent"},
               {"training clients", "320 000"},
               {"validation clients", "80 000"},
               {"seed", "42"},
               {"bundle", "out/model <with> \"odd\" & chars"}};
  r.metrics = {{"qini_auc", 0.213, 0.18, 0.245, "bootstrap 95%"},
               {"uplift_auc", 0.18, report::kUndefined, report::kUndefined, ""},
               {"uplift_at_k (30%)", 0.041, 0.035, 0.047, "bootstrap 95%"},
               {"weighted_average_uplift", report::kUndefined, report::kUndefined,
                report::kUndefined, "undefined: a bin has no control client"}};
  r.curves = SampleCurves(clients);
  r.deciles = SampleDeciles(clients);
  for (int i = 0; i < 40; ++i) {
    r.feature_importance.push_back(
        {"purchase_sum_mean__" + std::to_string(30 * (i % 4 + 1)) + "d_" + std::to_string(i),
         1.0 / (1.0 + i)});
  }
  r.importance_kind = "total gain";
  r.footer = "upcamp 0.1.0 — sample report";
  return r;
}

report::CampaignReport SampleCampaignReport(size_t clients, bool evaluated) {
  report::CampaignReport r;
  r.subtitle = "campaign spring_offer, run 2019-03-19";
  r.summary = {{"campaign", "spring_offer"},
               {"date_to", "2019-03-19"},
               {"seed", "7"},
               {"bundle", "model/ (t_learner, sha256 3f2a…)"},
               {"config", "campaign.yaml"}};
  r.base_clients = static_cast<int64_t>(clients) + 60000;
  r.filters = {{"recent buyers", "time_since_last__30d <= 30", 50000, 4000},
               {"adults", "age >= 18 and age < 100", 10000, 1200}};
  r.selected_clients = static_cast<int64_t>(clients);
  const int64_t n = static_cast<int64_t>(clients);
  r.assignment = {{"targeted", "random_target", "control"},
                  {"offer", "no_offer"},
                  {{n * 3 / 10, n * 3 / 10}, {n / 5, 0}, {0, n / 5}}};
  r.scores.resize(clients);
  for (size_t i = 0; i < clients; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(clients);
    r.scores[i] = 0.03 * std::tan(3.0 * (t - 0.5)) / std::tan(1.5) + 0.005 * Wiggle(i);
  }
  r.threshold = 0.004;
  r.threshold_rule = "expected incremental profit turns negative";
  if (!evaluated) return r;
  r.evaluated = true;
  r.outcome = "profit = 0.2*target_purchases_sum - 0.1*target_campaign_points_spent - 1.5*offer";
  r.srm = {
      true,
      {"targeted", "random_target", "control"},
      {n * 6 / 10, n / 5, n / 5},
      {0.6 * static_cast<double>(n), 0.2 * static_cast<double>(n), 0.2 * static_cast<double>(n)},
      0.42,
      0.81,
      false};
  auto effect = [](std::string name, double est, double half, double p) {
    report::Effect e;
    e.comparison = std::move(name);
    e.n_a = 60000;
    e.n_b = 40000;
    e.mean_a = 10 + est;
    e.mean_b = 10;
    e.estimate = est;
    e.lower = est - half;
    e.upper = est + half;
    e.p_value = p;
    e.bootstrap_lower = est - half * 1.02;
    e.bootstrap_upper = est + half * 0.98;
    e.relative = est / 10;
    e.relative_lower = (est - half) / 10;
    e.relative_upper = (est + half) / 10;
    e.total = est * 60000;
    e.total_lower = (est - half) * 60000;
    e.total_upper = (est + half) * 60000;
    return e;
  };
  r.effects = {effect("targeted offer vs control above threshold", 0.83, 0.42, 0.0001),
               effect("targeted no offer vs control below threshold", 0.02, 0.3, 0.9),
               effect("random target vs control", 0.35, 0.25, 0.006),
               effect("targeted vs control", 0.51, 0.22, 0.00002),
               effect("targeted vs random target", 0.16, 0.24, 0.19)};
  r.model_metrics = {{"qini_auc", 0.19, 0.15, 0.23, "bootstrap 95%"},
                     {"uplift_at_k (30%)", 0.037, 0.029, 0.045, "bootstrap 95%"}};
  r.curves = SampleCurves(clients * 2 / 5);
  r.deciles = SampleDeciles(clients * 2 / 5);
  r.footer = "upcamp 0.1.0 — sample report";
  return r;
}

}  // namespace upcamp::testing
