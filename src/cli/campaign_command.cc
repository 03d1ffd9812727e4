// `upcamp campaign run|status|evaluate`: argument parsing and wiring only; the work is in
// src/campaign (stages on the flow engine, evaluation) and src/flow (run history).

#include <cstdio>

#include "campaign/evaluate.h"
#include "campaign/run.h"
#include "cli/command.h"
#include "core/log.h"
#include "flow/history.h"

namespace upcamp::cli {
namespace {

struct CampaignRunArgs {
  campaign::CampaignRunOptions options;
};

std::string StagesText(const nlohmann::json& stages) {
  std::string text;
  for (const auto& s : stages) {
    text += fmt::format("  {:<10} {:<9} {:>9} rows {:>8.2f} s\n", s["name"].get<std::string>(),
                        s["action"].get<std::string>(), s["rows"].get<int64_t>(),
                        s["seconds"].get<double>());
  }
  return text;
}

std::string CountsText(const nlohmann::json& freeze) {
  std::string text;
  for (const auto& [group, treatments] : freeze["counts"].items()) {
    for (const auto& [treatment, n] : treatments.items()) {
      text += fmt::format("  {:<16} {:<10} {:>9}\n", group, treatment, n.get<int64_t>());
    }
  }
  return text;
}

Status RunCampaignRun(CampaignRunArgs a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  a.options.runs_dir = g.runs_dir;
  UPCAMP_ASSIGN_OR_RETURN(auto result, campaign::RunCampaign(a.options, ctx));
  if (g.quiet) return Status::Ok();
  std::string text;
  if (!result.stages.empty()) text += "stages:\n" + StagesText(result.stages);
  if (result.frozen) {
    const auto& th = result.freeze["threshold"];
    text += fmt::format(
        "{} run '{}': {} clients\n{}  threshold: {}\nresult: {}\n",
        result.already_frozen ? "already frozen" : "frozen", a.options.run_id,
        result.freeze["clients"].get<int64_t>(), CountsText(result.freeze),
        th.contains("value") && th["value"].is_number()
            ? fmt::format("{:.6g} ({})", th["value"].get<double>(), th["type"].get<std::string>())
            : std::string("none (no model group)"),
        result.result_path);
  } else {
    text += fmt::format("run '{}' stopped before freeze (--until-stage); run again to finish\n",
                        a.options.run_id);
  }
  std::fputs(text.c_str(), stderr);
  return Status::Ok();
}

struct CampaignStatusArgs {
  std::string run_id;
  bool json = false;
};

Status RunCampaignStatus(const CampaignStatusArgs& a, const GlobalOptions& g) {
  UPCAMP_ASSIGN_OR_RETURN(std::string text, flow::FormatRunStatus(g.runs_dir, a.run_id, a.json));
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout)) {
    return Status::Io("cannot write to stdout");
  }
  return Status::Ok();
}

struct CampaignEvaluateArgs {
  campaign::EvaluateOptions options;
};

std::string EffectLine(const nlohmann::json& e) {
  if (!e.value("defined", false)) {
    return fmt::format("  {:<20} undefined: {}\n", e["name"].get<std::string>(),
                       e.value("reason", std::string()));
  }
  const auto& d = e["difference"];
  return fmt::format(
      "  {:<20} {:+.4g} per client  95% CI [{:+.4g}, {:+.4g}]  p = {:.3g}  (n {} vs {})\n",
      e["name"].get<std::string>(), d["estimate"].get<double>(), d["lower"].get<double>(),
      d["upper"].get<double>(), e["welch"]["p_value"].get<double>(), e["a"]["n"].get<int64_t>(),
      e["b"]["n"].get<int64_t>());
}

Status RunCampaignEvaluate(CampaignEvaluateArgs a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  a.options.runs_dir = g.runs_dir;
  UPCAMP_ASSIGN_OR_RETURN(auto result, campaign::EvaluateCampaign(a.options, ctx));
  if (g.quiet) return Status::Ok();
  const auto& ev = result.evaluation;
  std::string text = fmt::format("evaluation of run '{}' (outcome: {})\n", a.options.run_id,
                                 ev["target"].get<std::string>());
  const auto& srm = ev["srm"];
  if (srm.contains("p_value")) {
    text += fmt::format(
        "  sample ratio check: chi-square {:.3g}, p = {:.3g}{}\n", srm["chi_square"].get<double>(),
        srm["p_value"].get<double>(),
        srm["mismatch"].get<bool>() ? "  ** MISMATCH: do not trust the effects **" : " (ok)");
  }
  for (const auto& e : ev["effects"]) text += EffectLine(e);
  if (ev.contains("model") && ev["model"]["metrics"].contains("qini_auc")) {
    const auto& m = ev["model"]["metrics"];
    auto num = [](const nlohmann::json& v) {
      return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : std::string("n/a");
    };
    const double k = m["params"].value("k", 0.3);
    if (m.value("outcome", "") != "continuous") {
      text += fmt::format(
          "  model on random target + control: qini_auc {}  uplift_auc {}  "
          "uplift@{:g}% {}\n",
          num(m["qini_auc"]), num(m["uplift_auc"]), 100 * k, num(m["uplift_at_k_overall"]));
    } else {
      // The normalized AUCs need a perfect curve, defined for 0/1 outcomes only.
      text += fmt::format(
          "  model on random target + control: uplift@{:g}% {} (overall uplift "
          "{}; normalized AUCs are defined for 0/1 outcomes only)\n",
          100 * k, num(m["uplift_at_k_overall"]), num(m["total_uplift"]));
    }
  }
  text += fmt::format("evaluation: {}\n", result.evaluation_path);
  if (!result.report_path.empty()) text += fmt::format("report:     {}\n", result.report_path);
  std::fputs(text.c_str(), stderr);
  return Status::Ok();
}

}  // namespace

void AddCampaignCommand(CLI::App& app, CommandAction* selected) {
  CLI::App* cmd = app.add_subcommand(
      "campaign", "Run a randomized campaign from a model bundle, show its status, evaluate it");
  cmd->require_subcommand(1);

  auto run_args = std::make_shared<CampaignRunArgs>();
  CLI::App* run = cmd->add_subcommand(
      "run", "Select clients, score, split into groups, recommend and freeze (resumable)");
  run->footer(
      "Stages: select -> features -> score -> split -> recommend -> freeze, each persisted in\n"
      "RUNS_DIR/RUN_ID/stages/. Re-running the same --run-id resumes after any crash and gives\n"
      "identical output; a frozen run is immutable (same config: no-op; changed: refused).\n"
      "Result: RUNS_DIR/RUN_ID/result.csv (client_id, group, treatment, score, rank) and\n"
      "freeze.json. See docs/campaign.md.");
  run->add_option("--config", run_args->options.config_path, "Campaign config (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--run-id", run_args->options.run_id, "Run id (a name; resumes if it exists)")
      ->required();
  run->add_option("--date-to", run_args->options.date_to, "Override the config's date_to");
  run->add_option("--out", run_args->options.out, "Also copy result.csv here");
  run->add_option("--force-stage", run_args->options.force_stage,
                  "Recompute this stage and everything after it");
  run->add_option("--until-stage", run_args->options.until_stage,
                  "Stop after this stage (and what it needs)");
  run->callback([run_args, selected] {
    *selected = [run_args](const GlobalOptions& g) { return RunCampaignRun(*run_args, g); };
  });

  auto status_args = std::make_shared<CampaignStatusArgs>();
  CLI::App* status = cmd->add_subcommand("status", "Show a run's stages and history");
  status->add_option("--run-id", status_args->run_id, "Run id")->required();
  status->add_flag("--json", status_args->json, "JSON instead of a table");
  status->callback([status_args, selected] {
    *selected = [status_args](const GlobalOptions& g) {
      return RunCampaignStatus(*status_args, g);
    };
  });

  auto eval_args = std::make_shared<CampaignEvaluateArgs>();
  CLI::App* evaluate = cmd->add_subcommand(
      "evaluate", "Effects with confidence intervals, SRM check and model quality of a frozen run");
  evaluate->footer(
      "Reads RUNS_DIR/RUN_ID/result.csv (checked against freeze.json) and the responses\n"
      "(client_id + outcome columns). Writes evaluation.json (every number) and report.html.\n"
      "See docs/campaign.md for the comparisons.");
  evaluate->add_option("--run-id", eval_args->options.run_id, "A frozen run")->required();
  evaluate
      ->add_option("--responses", eval_args->options.responses_path,
                   "Responses table (client_id + outcome columns)")
      ->required()
      ->check(CLI::ExistingFile);
  evaluate->add_option("--out-dir", eval_args->options.out_dir,
                       "Where to write evaluation.json and report.html (default: the run folder)");
  evaluate
      ->add_option("--bootstrap", eval_args->options.bootstrap_replicates,
                   "Bootstrap replicates per effect (0 = none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  evaluate->callback([eval_args, selected] {
    *selected = [eval_args](const GlobalOptions& g) { return RunCampaignEvaluate(*eval_args, g); };
  });
}

}  // namespace upcamp::cli
