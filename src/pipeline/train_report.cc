#include "pipeline/train_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "metrics/curves.h"
#include "report/format.h"
#include "report/training_report.h"

namespace upcamp::pipeline {

namespace {

double Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return report::kUndefined;
  return j[key].get<double>();
}

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j[key];
  return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump());
}

int64_t Int(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return -1;
  return j[key].get<int64_t>();
}

report::CurvePoints Points(const Result<metrics::Curve>& curve) {
  report::CurvePoints c;
  if (curve.ok()) {
    c.n = curve->n;
    c.value = curve->value;
  }
  return c;
}

std::string TargetText(const nlohmann::json& target) {
  std::string text =
      target.contains("expression") ? Str(target, "expression") : "column " + Str(target, "column");
  if (target.contains("calcer")) {
    text += fmt::format(" (from {})", Str(target["calcer"], "name"));
  }
  return text + fmt::format("; {} outcome; treatment column {}", Str(target, "outcome"),
                            Str(target, "treatment"));
}

}  // namespace

Result<std::string> TrainingReportHtml(const nlohmann::json& m, const ScoredRows* validation) {
  report::TrainingReport r;
  const nlohmann::json& model = m.at("model");
  const nlohmann::json& data = m.at("training_data");
  const nlohmann::json& features = m.at("features");
  const nlohmann::json& v = m.at("validation");
  const std::string model_type = Str(model, "type");
  const int64_t rows = Int(data, "rows");
  r.subtitle = fmt::format("{} on {} rows of {}", model_type, report::FormatInteger(rows),
                           Str(data, "source"));

  std::string transforms;
  for (const auto& t : features.at("transforms")) {
    transforms += (transforms.empty() ? "" : ", ") + Str(t, "name");
  }
  r.summary = {
      {"model", model_type},
      {"model config", model.at("config").dump()},
      {"training data", Str(data, "source")},
      {"rows (treated / control)", fmt::format("{} ({} / {})", report::FormatInteger(rows),
                                               report::FormatInteger(Int(data, "n_treatment")),
                                               report::FormatInteger(Int(data, "n_control")))},
      {"target", TargetText(m.at("target"))},
      {"model inputs", fmt::format("{} columns", features.at("columns").size())},
      {"transforms", transforms.empty() ? "none" : transforms},
      {"validation", v.is_null() ? std::string("none")
                                 : fmt::format("{} ({} rows)", Str(v, "method"),
                                               report::FormatInteger(Int(v, "rows")))},
      {"rows the shipped model was fitted on", report::FormatInteger(Int(data, "model_rows"))},
      {"suggested threshold",
       fmt::format("{} ({})", report::FormatNumber(Num(m.at("threshold"), "value")),
                   Str(m.at("threshold"), "rule"))},
      {"seed", Str(m, "seed")},
      {"training data fingerprint", Str(data, "fingerprint")},
      {"created", Str(m, "created")},
  };
  if (data.contains("date_to") && data["date_to"].is_string()) {
    r.summary.insert(r.summary.begin() + 3, {"features as of", data["date_to"].get<std::string>()});
  }

  if (v.is_null() || validation == nullptr) {
    r.no_validation =
        "No validation was configured (validation: {test_fraction: f} or {folds: k}), so there "
        "are no out-of-sample metrics or curves; the threshold and score percentiles come from "
        "the training rows' own scores, which are optimistic.";
  } else {
    const nlohmann::json& s = v.at("metrics");
    const nlohmann::json intervals = s.contains("bootstrap")
                                         ? s["bootstrap"].value("intervals", nlohmann::json())
                                         : nlohmann::json();
    const std::string interval_note =
        s.contains("bootstrap")
            ? fmt::format("bootstrap {}% ({} replicates)",
                          report::FormatNumber(100 * Num(s["bootstrap"], "level")),
                          Int(s["bootstrap"], "replicates"))
            : std::string();
    for (const char* name : {"qini_auc", "uplift_auc", "uplift_at_k_overall",
                             "uplift_at_k_by_group", "weighted_average_uplift"}) {
      report::MetricValue mv;
      mv.name = name;
      mv.value = Num(s, name);
      if (std::isnan(mv.value) && s.contains("undefined") && s["undefined"].contains(name)) {
        mv.note = Str(s["undefined"], name);
      } else if (intervals.is_object() && intervals.contains(name)) {
        mv.lower = Num(intervals[name], "lower");
        mv.upper = Num(intervals[name], "upper");
        mv.note = std::isnan(mv.lower) ? Str(intervals[name], "reason") : interval_note;
      }
      r.metrics.push_back(mv);
    }
    r.curves.qini =
        Points(metrics::QiniCurve(validation->score, validation->treatment, validation->outcome));
    r.curves.uplift =
        Points(metrics::UpliftCurve(validation->score, validation->treatment, validation->outcome));
    r.curves.qini_perfect =
        Points(metrics::PerfectQiniCurve(validation->treatment, validation->outcome));
    r.curves.uplift_perfect =
        Points(metrics::PerfectUpliftCurve(validation->treatment, validation->outcome));
    if (s.contains("uplift_by_percentile") && s["uplift_by_percentile"].is_object()) {
      for (const auto& row : s["uplift_by_percentile"]["rows"]) {
        report::DecileRow d;
        d.label = Str(row, "percentile");
        d.n_treatment = std::max<int64_t>(0, Int(row, "n_treatment"));
        d.n_control = std::max<int64_t>(0, Int(row, "n_control"));
        d.response_treatment = Num(row, "response_rate_treatment");
        d.response_control = Num(row, "response_rate_control");
        d.uplift = Num(row, "uplift");
        d.std_uplift = Num(row, "std_uplift");
        r.deciles.push_back(d);
      }
    }
    const double qini = Num(s, "qini_auc");
    if (std::isfinite(qini) && qini > 1) {
      r.warnings.push_back(
          "The normalized Qini AUC is above 1: the perfect curve is built from "
          "the observed outcomes and can be beaten by chance on small samples "
          "(see docs/metrics.md).");
    }
  }
  for (const auto& [name, value] : model.at("importance").items()) {
    if (value.is_number()) r.feature_importance.emplace_back(name, value.get<double>());
  }
  r.importance_kind = model_type == "uplift_forest" ? "share of split gain (forest)"
                                                    : "share of XGBoost total gain";
  r.footer = fmt::format(
      "upcamp {} — every number on this page is in the bundle's manifest.json (validation "
      "metrics, threshold, importance); the curves are computed from the validation scores",
      Str(m, "tool_version"));
  return report::BuildTrainingReport(r).Render();
}

}  // namespace upcamp::pipeline
