#include "campaign/evaluate.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "campaign/config.h"
#include "campaign/report.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/version.h"
#include "data/table_io.h"
#include "features/expression.h"
#include "flow/run.h"
#include "metrics/curves.h"
#include "metrics/stat_tests.h"
#include "metrics/summary.h"

namespace upcamp::campaign {
namespace fs = std::filesystem;

namespace {

nlohmann::json EffectJson(const metrics::EffectEstimate& e) {
  if (!e.defined) return {{"defined", false}, {"reason", e.reason}};
  return {{"defined", true},
          {"estimate", e.estimate},
          {"std_error", e.std_error},
          {"lower", e.lower},
          {"upper", e.upper}};
}

nlohmann::json IntervalJson(const metrics::BootstrapInterval& b) {
  if (!b.defined) return {{"defined", false}, {"reason", b.reason}};
  return {{"defined", true}, {"lower", b.lower}, {"upper", b.upper}, {"std_error", b.std_error}};
}

// One comparison a − b: Welch test plus bootstrap intervals.
nlohmann::json Compare(const std::string& name, const std::string& description,
                       const std::string& label_a, const std::vector<double>& a,
                       const std::string& label_b, const std::vector<double>& b, int replicates,
                       uint64_t seed, const Context& ctx) {
  nlohmann::json j = {{"name", name}, {"description", description}};
  auto summary = [](const std::string& label, const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return nlohmann::json{{"label", label},
                          {"n", v.size()},
                          {"mean", v.empty() ? nlohmann::json() : nlohmann::json(sum / v.size())}};
  };
  j["a"] = summary(label_a, a);
  j["b"] = summary(label_b, b);
  auto welch = metrics::WelchTest(a, b);
  if (!welch.ok()) {
    j["defined"] = false;
    j["reason"] = welch.status().message();
    return j;
  }
  const metrics::WelchResult& w = *welch;
  j["defined"] = w.difference.defined;
  if (!w.difference.defined) j["reason"] = w.difference.reason;
  j["level"] = w.level;
  j["difference"] = EffectJson(w.difference);
  j["relative"] = EffectJson(w.relative);
  j["total"] = EffectJson(w.total);
  if (w.difference.defined) {
    j["welch"] = {{"df", w.df}, {"t", w.t_statistic}, {"p_value", w.p_value}};
  }
  if (replicates > 0 && w.difference.defined) {
    metrics::BootstrapOptions options;
    options.replicates = replicates;
    options.seed = MixSeed(seed, Hash64(name));
    options.stratified = true;  // group sizes are fixed by the design
    options.max_undefined_fraction = 0.01;
    auto boot = metrics::BootstrapMeanDifference(a, b, options, ctx);
    if (boot.ok()) {
      j["bootstrap"] = {{"replicates", replicates},
                        {"difference", IntervalJson(boot->difference)},
                        {"relative", IntervalJson(boot->relative)},
                        {"total", IntervalJson(boot->total)}};
    } else {
      j["bootstrap"] = {{"defined", false}, {"reason", boot.status().message()}};
    }
  }
  return j;
}

nlohmann::json CurveJson(const Result<metrics::Curve>& curve) {
  if (!curve.ok()) return {{"defined", false}, {"reason", curve.status().message()}};
  return {{"n", curve->n}, {"value", curve->value}};
}

}  // namespace

Result<EvaluateResult> EvaluateCampaign(const EvaluateOptions& options, const Context& ctx) {
  const std::string run_dir = flow::RunDir(options.runs_dir, options.run_id);
  const std::string freeze_path = (fs::path(run_dir) / "freeze.json").string();
  const std::string result_path = (fs::path(run_dir) / "result.csv").string();
  if (!FileExists(freeze_path)) {
    return Status::Data(
        "run '{}' is not frozen ({} not found); finish it with `upcamp campaign "
        "run --run-id {}` first",
        options.run_id, freeze_path, options.run_id);
  }
  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json freeze, ReadJsonFile(freeze_path));
  {
    UPCAMP_ASSIGN_OR_RETURN(std::string csv, ReadFileToString(result_path));
    const std::string digest =
        Sha256Hex({reinterpret_cast<const uint8_t*>(csv.data()), csv.size()});
    if (digest != freeze.at("files").at("result.csv").get<std::string>()) {
      return Status::Data(
          "{}: does not match the checksum frozen in {}; the assignment was "
          "edited after freezing",
          result_path, freeze_path);
    }
  }
  TableReadOptions read_result;
  read_result.schema = {{"client_id", DataType::kString},
                        {"group", DataType::kString},
                        {"treatment", DataType::kString},
                        {"score", DataType::kFloat64}};
  UPCAMP_ASSIGN_OR_RETURN(Table result, ReadTableFile(result_path, read_result, ctx));
  TableReadOptions read_responses;
  read_responses.schema = {{"client_id", DataType::kString}};
  read_responses.progress_label = "responses";
  UPCAMP_ASSIGN_OR_RETURN(Table responses,
                          ReadTableFile(options.responses_path, read_responses, ctx));
  UPCAMP_ASSIGN_OR_RETURN(const Column* response_id,
                          responses.GetColumn("client_id", options.responses_path));
  // A profit target usually charges the offer's cost through treatment_flg; responses need not
  // carry it, the frozen assignment knows it (1 = offered).
  if (!responses.FindColumn("treatment_flg")) {
    std::unordered_map<std::string, double> offered;
    const Column& rid = *result.FindColumn("client_id");
    const Column& rtreatment = *result.FindColumn("treatment");
    for (size_t i = 0; i < result.num_rows(); ++i) {
      offered[rid.ValueToString(i)] = rtreatment.ValueToString(i) == kNoOffer ? 0.0 : 1.0;
    }
    std::vector<double> flag(responses.num_rows(), kNullFloat64);
    for (size_t i = 0; i < flag.size(); ++i) {
      const auto it = offered.find(response_id->ValueToString(i));
      if (it != offered.end()) flag[i] = it->second;
    }
    UPCAMP_RETURN_IF_ERROR(responses.AddColumn(Column::Float64("treatment_flg", std::move(flag))));
    response_id = responses.FindColumn("client_id");
  }
  const std::string target_text = freeze.at("target").at("expression").get<std::string>();
  UPCAMP_ASSIGN_OR_RETURN(Expression target, Expression::Parse(target_text));
  auto outcome_values = target.Evaluate(responses);
  if (!outcome_values.ok()) {
    return Status::Data("{}: cannot compute the outcome \"{}\": {}", options.responses_path,
                        target_text, outcome_values.status().message());
  }
  std::unordered_map<std::string, size_t> response_row;
  for (size_t i = 0; i < responses.num_rows(); ++i) {
    if (response_id->IsNull(i)) {
      return Status::Data("{}: row {}: empty client_id", options.responses_path, i + 1);
    }
    auto [it, inserted] = response_row.emplace(response_id->ValueToString(i), i);
    if (!inserted) {
      return Status::Data("{}: row {}: duplicate client_id '{}'", options.responses_path, i + 1,
                          it->first);
    }
  }

  // Groups and roles from the frozen config.
  const nlohmann::json& groups = freeze.at("config").at("groups");
  std::vector<std::string> names;
  std::vector<double> design_share;
  int control = -1, random_target = -1, targeted = -1;
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& group = groups[g];
    names.push_back(group.at("name").get<std::string>());
    design_share.push_back(group.contains("size") ? group["size"].get<double>()
                                                  : group["fraction"].get<double>());
    const auto& treatment = group.at("treatment");
    const int gi = static_cast<int>(g);
    if (treatment.at("type") == "model") {
      if (targeted < 0) targeted = gi;
    } else if (treatment.at("value") == kNoOffer) {
      if (control < 0) control = gi;
    } else if (random_target < 0) {
      random_target = gi;
    }
  }
  const nlohmann::json& threshold_json = freeze.at("threshold").at("value");
  const double threshold = threshold_json.is_number() ? threshold_json.get<double>() : NAN;

  // Outcome per campaign client.
  const Column& id = *result.FindColumn("client_id");
  const Column& group_column = *result.FindColumn("group");
  const Column& treatment_column = *result.FindColumn("treatment");
  const auto score = result.FindColumn("score")->float64s();
  std::vector<std::vector<double>> by_group(names.size());
  std::vector<double> offer_targeted, no_offer_targeted, control_above, control_below;
  std::vector<double> model_score, model_outcome;
  std::vector<uint8_t> model_treatment;
  std::vector<int64_t> observed(names.size(), 0);
  int64_t missing = 0;
  std::string missing_example;
  for (size_t i = 0; i < result.num_rows(); ++i) {
    const std::string group = group_column.ValueToString(i);
    int g = -1;
    for (size_t k = 0; k < names.size(); ++k) {
      if (names[k] == group) g = static_cast<int>(k);
    }
    if (g < 0) continue;  // unassigned
    ++observed[static_cast<size_t>(g)];
    const std::string client = id.ValueToString(i);
    const auto it = response_row.find(client);
    if (it == response_row.end()) {
      if (missing++ == 0) missing_example = client;
      continue;
    }
    const double y = (*outcome_values)[it->second];
    if (std::isnan(y)) {
      return Status::Data("{}: row {}: the outcome \"{}\" is missing for client '{}'",
                          options.responses_path, it->second + 1, target_text, client);
    }
    by_group[static_cast<size_t>(g)].push_back(y);
    if (g == targeted) {
      (treatment_column.ValueToString(i) == kNoOffer ? no_offer_targeted : offer_targeted)
          .push_back(y);
    }
    if (g == control && !std::isnan(threshold)) {
      (score[i] > threshold ? control_above : control_below).push_back(y);
    }
    if (g == control || g == random_target) {
      model_score.push_back(score[i]);
      model_treatment.push_back(g == random_target ? 1 : 0);
      model_outcome.push_back(y);
    }
  }
  if (missing > 0) {
    return Status::Data(
        "{}: {} campaign client(s) have no response row (e.g. '{}'); responses "
        "must cover every assigned client",
        options.responses_path, missing, missing_example);
  }

  nlohmann::json evaluation = {{"format", "upcamp-campaign-evaluation"},
                               {"format_version", 1},
                               {"tool_version", kVersion},
                               {"run_id", options.run_id},
                               {"name", freeze.at("name")},
                               {"responses", options.responses_path},
                               {"target", target_text},
                               {"threshold", threshold_json}};

  // Sample-ratio mismatch against the design.
  {
    auto srm = metrics::SampleRatioMismatch(observed, design_share);
    nlohmann::json j = {{"groups", names}, {"observed", observed}, {"design", design_share}};
    if (srm.ok() && srm->defined) {
      j.update({{"chi_square", srm->chi_square},
                {"df", srm->df},
                {"p_value", srm->p_value},
                {"mismatch", srm->mismatch},
                {"expected", srm->expected}});
      if (srm->mismatch) {
        spdlog::warn(
            "SAMPLE RATIO MISMATCH: group sizes differ from the design (chi-square {:.2f}, "
            "p = {:.2g}); the assignment or the response collection is broken — do not "
            "trust the effects below",
            srm->chi_square, srm->p_value);
      }
    } else {
      j["defined"] = false;
      j["reason"] = srm.ok() ? srm->reason : srm.status().message();
    }
    evaluation["srm"] = j;
  }

  // Effects.
  const uint64_t seed = freeze.at("config").at("seed").get<uint64_t>();
  const int reps = options.bootstrap_replicates;
  nlohmann::json effects = nlohmann::json::array();
  auto name_of = [&](int g) { return names[static_cast<size_t>(g)]; };
  if (targeted >= 0 && control >= 0) {
    if (!std::isnan(threshold)) {
      effects.push_back(Compare("targeted_offer",
                                "offered part of the targeted group vs control "
                                "clients scored above the threshold",
                                name_of(targeted) + " (offer)", offer_targeted,
                                name_of(control) + " (score > threshold)", control_above, reps,
                                seed, ctx));
      effects.push_back(Compare("targeted_no_offer",
                                "not-offered part of the targeted group vs "
                                "control clients at or below the threshold",
                                name_of(targeted) + " (no offer)", no_offer_targeted,
                                name_of(control) + " (score <= threshold)", control_below, reps,
                                seed, ctx));
    }
    effects.push_back(Compare("targeted", "targeted group vs control", name_of(targeted),
                              by_group[static_cast<size_t>(targeted)], name_of(control),
                              by_group[static_cast<size_t>(control)], reps, seed, ctx));
  }
  if (random_target >= 0 && control >= 0) {
    effects.push_back(Compare("random_target", "random target group vs control",
                              name_of(random_target), by_group[static_cast<size_t>(random_target)],
                              name_of(control), by_group[static_cast<size_t>(control)], reps, seed,
                              ctx));
  }
  if (targeted >= 0 && random_target >= 0) {
    effects.push_back(Compare("targeted_vs_random", "targeted group vs random target group",
                              name_of(targeted), by_group[static_cast<size_t>(targeted)],
                              name_of(random_target), by_group[static_cast<size_t>(random_target)],
                              reps, seed, ctx));
  }
  evaluation["effects"] = effects;

  // The model out of sample on the randomized random-target + control clients.
  if (control >= 0 && random_target >= 0) {
    nlohmann::json model = {{"rows", model_score.size()}};
    metrics::SummaryOptions summary_options;
    auto summary =
        metrics::MetricsSummary(model_score, model_treatment, model_outcome, summary_options, ctx);
    if (summary.ok()) {
      model["metrics"] = *summary;
    } else {
      model["metrics"] = {{"defined", false}, {"reason", summary.status().message()}};
    }
    model["qini_curve"] =
        CurveJson(metrics::QiniCurve(model_score, model_treatment, model_outcome));
    model["uplift_curve"] =
        CurveJson(metrics::UpliftCurve(model_score, model_treatment, model_outcome));
    model["perfect_qini_curve"] =
        CurveJson(metrics::PerfectQiniCurve(model_treatment, model_outcome));
    model["perfect_uplift_curve"] =
        CurveJson(metrics::PerfectUpliftCurve(model_treatment, model_outcome));
    evaluation["model"] = model;
  }

  EvaluateResult out;
  const std::string out_dir = options.out_dir.empty() ? run_dir : options.out_dir;
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(out_dir));
  out.evaluation_path = (fs::path(out_dir) / "evaluation.json").string();
  UPCAMP_RETURN_IF_ERROR(WriteJsonFileAtomic(out.evaluation_path, evaluation));
  out.report_path = (fs::path(out_dir) / "report.html").string();
  UPCAMP_RETURN_IF_ERROR(
      WriteCampaignReport(freeze, result_path, evaluation, out.report_path, ctx));
  out.evaluation = std::move(evaluation);
  return out;
}

}  // namespace upcamp::campaign
