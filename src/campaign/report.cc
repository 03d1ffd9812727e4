#include "campaign/report.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "core/version.h"
#include "data/table_io.h"
#include "report/campaign_report.h"

namespace upcamp::campaign {

namespace {

double Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return report::kUndefined;
  return j[key].get<double>();
}

report::CurvePoints Curve(const nlohmann::json& j) {
  report::CurvePoints c;
  if (j.is_object() && j.contains("n")) {
    c.n = j["n"].get<std::vector<double>>();
    c.value = j["value"].get<std::vector<double>>();
  }
  return c;
}

}  // namespace

Status WriteCampaignReport(const nlohmann::json& freeze, const std::string& result_csv,
                           const nlohmann::json& evaluation, const std::string& out_path,
                           const Context& ctx) {
  report::CampaignReport r;
  const auto& config = freeze.at("config");
  r.subtitle = fmt::format("campaign '{}' as of {}", freeze.value("name", std::string()),
                           freeze.value("date_to", std::string()));
  r.summary = {{"name", freeze.value("name", std::string())},
               {"date_to", freeze.value("date_to", std::string())},
               {"seed", config.at("seed").dump()},
               {"catalog", config.value("catalog", std::string())},
               {"model bundle", freeze.at("bundle").value("dir", std::string())},
               {"model type", freeze.at("bundle").value("model_type", std::string())},
               {"bundle checksum", freeze.at("bundle").value("checksum", std::string())},
               {"outcome for evaluation", freeze.at("target").value("expression", std::string())}};
  const auto& selection = freeze.at("selection");
  r.base_clients = selection.value("candidates", int64_t{-1});
  for (const auto& f : selection.at("filters")) {
    report::FilterStep step;
    step.name = f.at("filter").get<std::string>();
    step.expression = step.name;
    step.removed = f.at("removed").get<int64_t>() + f.at("removed_missing").get<int64_t>();
    step.missing_input = f.at("removed_missing").get<int64_t>();
    r.filters.push_back(step);
  }
  if (selection.value("sampled_out", int64_t{0}) > 0) {
    r.subset = fmt::format("random subset: {} clients sampled out",
                           selection["sampled_out"].get<int64_t>());
  }
  r.selected_clients = selection.value("selected", int64_t{-1});
  // Group x treatment counts.
  std::set<std::string> treatments;
  for (const auto& [group, by_treatment] : freeze.at("counts").items()) {
    for (const auto& [treatment, n] : by_treatment.items()) treatments.insert(treatment);
  }
  r.assignment.treatments.assign(treatments.begin(), treatments.end());
  for (const auto& [group, by_treatment] : freeze.at("counts").items()) {
    r.assignment.groups.push_back(group);
    std::vector<int64_t> row;
    for (const auto& t : r.assignment.treatments) {
      row.push_back(by_treatment.contains(t) ? by_treatment[t].get<int64_t>() : 0);
    }
    r.assignment.counts.push_back(std::move(row));
  }
  // Scores of every selected client.
  TableReadOptions read;
  read.columns = {"score"};
  UPCAMP_ASSIGN_OR_RETURN(Table scores, ReadTableFile(result_csv, read, ctx));
  for (size_t i = 0; i < scores.num_rows(); ++i) {
    const double s = scores.column(0).AsDouble(i);
    if (!std::isnan(s)) r.scores.push_back(s);
  }
  const auto& threshold = freeze.at("threshold");
  r.threshold = Num(threshold, "value");
  r.threshold_rule = threshold.value("type", std::string());

  if (evaluation.is_object()) {
    r.evaluated = true;
    r.outcome = evaluation.value("target", std::string());
    const auto& srm = evaluation.at("srm");
    if (srm.contains("p_value")) {
      r.srm.computed = true;
      r.srm.groups = srm.at("groups").get<std::vector<std::string>>();
      r.srm.observed = srm.at("observed").get<std::vector<int64_t>>();
      r.srm.expected = srm.at("expected").get<std::vector<double>>();
      r.srm.chi_square = Num(srm, "chi_square");
      r.srm.p_value = Num(srm, "p_value");
      r.srm.flagged = srm.value("mismatch", false);
    }
    for (const auto& e : evaluation.at("effects")) {
      report::Effect effect;
      effect.comparison = e.value("description", e.value("name", std::string()));
      effect.n_a = e.at("a").value("n", int64_t{-1});
      effect.n_b = e.at("b").value("n", int64_t{-1});
      effect.mean_a = Num(e.at("a"), "mean");
      effect.mean_b = Num(e.at("b"), "mean");
      if (e.value("defined", false)) {
        const auto& d = e.at("difference");
        effect.estimate = Num(d, "estimate");
        effect.lower = Num(d, "lower");
        effect.upper = Num(d, "upper");
        effect.p_value = Num(e.at("welch"), "p_value");
        if (e.contains("relative")) {
          effect.relative = Num(e["relative"], "estimate");
          effect.relative_lower = Num(e["relative"], "lower");
          effect.relative_upper = Num(e["relative"], "upper");
        }
        if (e.contains("total")) {
          effect.total = Num(e["total"], "estimate");
          effect.total_lower = Num(e["total"], "lower");
          effect.total_upper = Num(e["total"], "upper");
        }
        if (e.contains("bootstrap") && e["bootstrap"].contains("difference")) {
          effect.bootstrap_lower = Num(e["bootstrap"]["difference"], "lower");
          effect.bootstrap_upper = Num(e["bootstrap"]["difference"], "upper");
        }
      }
      r.effects.push_back(effect);
    }
    if (evaluation.contains("model")) {
      const auto& model = evaluation["model"];
      const auto& m = model.at("metrics");
      for (const char* name : {"qini_auc", "uplift_auc", "uplift_at_k_overall",
                               "uplift_at_k_by_group", "weighted_average_uplift"}) {
        report::MetricValue v;
        v.name = name;
        v.value = Num(m, name);
        if (std::isnan(v.value) && m.contains("undefined") && m["undefined"].contains(name)) {
          v.note = m["undefined"][name].get<std::string>();
        }
        r.model_metrics.push_back(v);
      }
      r.curves.qini = Curve(model.value("qini_curve", nlohmann::json()));
      r.curves.qini_perfect = Curve(model.value("perfect_qini_curve", nlohmann::json()));
      r.curves.uplift = Curve(model.value("uplift_curve", nlohmann::json()));
      r.curves.uplift_perfect = Curve(model.value("perfect_uplift_curve", nlohmann::json()));
      if (m.contains("uplift_by_percentile") && m["uplift_by_percentile"].is_object()) {
        for (const auto& row : m["uplift_by_percentile"]["rows"]) {
          report::DecileRow d;
          d.label = row.value("percentile", std::string());
          d.n_treatment = row.value("n_treatment", int64_t{0});
          d.n_control = row.value("n_control", int64_t{0});
          d.response_treatment = Num(row, "response_rate_treatment");
          d.response_control = Num(row, "response_rate_control");
          d.uplift = Num(row, "uplift");
          d.std_uplift = Num(row, "std_uplift");
          r.deciles.push_back(d);
        }
      }
    }
  }
  r.footer = fmt::format("upcamp {} — run folder holds freeze.json{} with every number", kVersion,
                         r.evaluated ? " and evaluation.json" : "");
  return report::BuildCampaignReport(r).Write(out_path);
}

}  // namespace upcamp::campaign
