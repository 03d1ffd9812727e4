// `upcamp train`, `upcamp score` and `upcamp metrics`: argument parsing and wiring only; the work
// is in src/pipeline (train, score, bundle) and src/metrics.

#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/log.h"
#include "data/catalog.h"
#include "data/table_io.h"
#include "metrics/summary.h"
#include "pipeline/bundle.h"
#include "pipeline/score.h"
#include "pipeline/train.h"

namespace upcamp::cli {

namespace {

// ---- train --------------------------------------------------------------------------------------

struct TrainArgs {
  std::string config, out, date_to, validation_out, run_id, force_stage, until_stage;
};

std::string FormatMetric(const nlohmann::json& summary, const char* key) {
  if (!summary.is_object() || !summary.contains(key) || !summary[key].is_number()) return "n/a";
  return fmt::format("{:.4f}", summary[key].get<double>());
}

Status RunTrain(const TrainArgs& a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  pipeline::TrainOptions options;
  options.date_to = a.date_to;
  options.validation_out = a.validation_out;
  options.runs_dir = g.runs_dir;
  options.run_id = a.run_id;
  options.force_stage = a.force_stage;
  options.until_stage = a.until_stage;
  UPCAMP_ASSIGN_OR_RETURN(auto summary,
                          pipeline::TrainFromConfigFile(a.config, a.out, options, ctx));
  // A short human summary on stderr; every number is in the bundle's manifest.json.
  std::string text =
      fmt::format("training run '{}' ({}/{}):\n", summary.run_id, g.runs_dir, summary.run_id);
  for (const auto& stage : summary.stages) {
    text += fmt::format("  {:<10} {:<9} {:>9} rows {:>8.2f} s\n", stage["name"].get<std::string>(),
                        stage["action"].get<std::string>(), stage["rows"].get<int64_t>(),
                        stage["seconds"].get<double>());
  }
  if (!summary.published) {
    text += fmt::format("stopped after stage '{}' (--until-stage); run again to finish\n",
                        a.until_stage);
    if (!g.quiet) std::fputs(text.c_str(), stderr);
    return Status::Ok();
  }
  text += fmt::format("model bundle: {}\n  model: {} on {} rows, {} features\n", summary.bundle_dir,
                      summary.model_type, summary.train_rows, summary.feature_columns.size());
  if (!summary.validation.is_null()) {
    const std::string rows =
        fmt::format("{} rows{}", summary.validation_rows,
                    summary.folds > 0 ? fmt::format(", {} folds out-of-fold", summary.folds) : "");
    if (summary.validation.value("outcome", "") == "continuous") {
      // Normalized AUCs need a perfect curve, which exists for 0/1 outcomes only.
      text += fmt::format("  validation ({}): uplift@30% {}  overall uplift {}\n", rows,
                          FormatMetric(summary.validation, "uplift_at_k_overall"),
                          FormatMetric(summary.validation, "total_uplift"));
    } else {
      text += fmt::format("  validation ({}): qini_auc {}  uplift_auc {}  uplift@30% {}\n", rows,
                          FormatMetric(summary.validation, "qini_auc"),
                          FormatMetric(summary.validation, "uplift_auc"),
                          FormatMetric(summary.validation, "uplift_at_k_overall"));
    }
  }
  text += fmt::format("  suggested threshold: {:.6g} ({})\n", summary.threshold,
                      summary.threshold_rule);
  text += fmt::format("  report: {}\n", summary.report_path);
  if (!g.quiet) std::fputs(text.c_str(), stderr);
  return Status::Ok();
}

// ---- score --------------------------------------------------------------------------------------

struct ScoreArgs {
  std::string model, out, table, catalog, date_to, clients;
};

Status RunScore(const ScoreArgs& a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  const auto start = std::chrono::steady_clock::now();
  if (a.table.empty() == a.catalog.empty()) {
    return Status::Usage("give exactly one of --table FILE or --catalog FILE --date-to DATE");
  }
  if (!a.catalog.empty() && a.date_to.empty()) {
    return Status::Usage("--catalog needs --date-to YYYY-MM-DD");
  }
  if (!a.table.empty() && (!a.date_to.empty() || !a.clients.empty())) {
    return Status::Usage("--date-to and --clients go with --catalog, not --table");
  }
  UPCAMP_ASSIGN_OR_RETURN(pipeline::Bundle bundle, pipeline::LoadBundle(a.model));
  Table features;
  std::string what;
  if (!a.table.empty()) {
    TableReadOptions read;
    read.progress_label = "score";
    if (!bundle.id_column.empty()) read.schema.push_back({bundle.id_column, DataType::kString});
    UPCAMP_ASSIGN_OR_RETURN(features, ReadTableFile(a.table, read, ctx));
    what = a.table;
  } else {
    const auto date_to = ParseDate(a.date_to);
    if (!date_to) return Status::Usage("--date-to must be YYYY-MM-DD, got '{}'", a.date_to);
    UPCAMP_ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(a.catalog));
    std::optional<std::vector<std::string>> clients;
    if (!a.clients.empty()) {
      UPCAMP_ASSIGN_OR_RETURN(clients, LoadClientList(a.clients, ctx));
    }
    UPCAMP_ASSIGN_OR_RETURN(features, pipeline::ExtractServingFeatures(bundle, catalog, *date_to,
                                                                       std::move(clients), ctx));
    what = fmt::format("features of {} as of {}", a.catalog, a.date_to);
  }
  std::vector<Column> out_columns;
  if (const Column* key =
          bundle.id_column.empty() ? nullptr : features.FindColumn(bundle.id_column)) {
    out_columns.push_back(*key);
  }
  const size_t rows = features.num_rows();
  UPCAMP_ASSIGN_OR_RETURN(auto scores,
                          pipeline::ScoreFeatureTable(bundle, std::move(features), what, ctx));
  out_columns.push_back(Column::Float64("score", std::move(scores)));
  UPCAMP_ASSIGN_OR_RETURN(Table out, Table::Make(std::move(out_columns)));
  UPCAMP_RETURN_IF_ERROR(WriteTableFile(out, a.out, ctx));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("score: {} rows -> {} ({:.1f} s)", rows, a.out, secs);
  return Status::Ok();
}

// ---- metrics ------------------------------------------------------------------------------------

struct MetricsArgs {
  std::string input, score, treatment, target, strategy = "overall";
  double k = 0.3;
  int bins = 10;
  int bootstrap = 0;
  uint64_t seed = 0;
};

Result<std::vector<double>> NumericColumn(const Table& table, const std::string& name,
                                          const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(const Column* column, table.GetColumn(name, path));
  if (column->type() == DataType::kString) {
    return Status::Data("{}: column '{}' holds text; it must be numeric", path, name);
  }
  std::vector<double> out(column->size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = column->AsDouble(i);
    if (std::isnan(out[i])) {
      return Status::Data("{}: row {}: column '{}' is empty; metrics need every value", path, i + 1,
                          name);
    }
  }
  return out;
}

Status RunMetrics(const MetricsArgs& a, const GlobalOptions& g) {
  const Context ctx = g.MakeContext();
  TableReadOptions read;
  read.columns = {a.score, a.treatment, a.target};
  UPCAMP_ASSIGN_OR_RETURN(Table table, ReadTableFile(a.input, read, ctx));
  UPCAMP_ASSIGN_OR_RETURN(auto score, NumericColumn(table, a.score, a.input));
  UPCAMP_ASSIGN_OR_RETURN(auto treatment_values, NumericColumn(table, a.treatment, a.input));
  UPCAMP_ASSIGN_OR_RETURN(auto outcome, NumericColumn(table, a.target, a.input));
  std::vector<uint8_t> treatment(treatment_values.size());
  for (size_t i = 0; i < treatment.size(); ++i) {
    if (treatment_values[i] != 0 && treatment_values[i] != 1) {
      return Status::Data("{}: row {}: treatment column '{}' must be 0 or 1, got {}", a.input,
                          i + 1, a.treatment, treatment_values[i]);
    }
    treatment[i] = static_cast<uint8_t>(treatment_values[i]);
  }
  metrics::SummaryOptions options;
  options.params.k = a.k;
  options.params.bins = a.bins;
  options.percentile_strategy =
      a.strategy == "by_group" ? metrics::Strategy::kByGroup : metrics::Strategy::kOverall;
  if (a.bootstrap > 0) {
    metrics::BootstrapOptions b;
    b.replicates = a.bootstrap;
    b.seed = a.seed;
    options.bootstrap = b;
  }
  UPCAMP_ASSIGN_OR_RETURN(auto summary,
                          metrics::MetricsSummary(score, treatment, outcome, options, ctx));
  const std::string text = summary.dump(2) + "\n";
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout)) {
    return Status::Io("cannot write to stdout");
  }
  return Status::Ok();
}

}  // namespace

void AddTrainCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train an uplift model and write a model bundle");
  cmd->footer(
      "The config (YAML) names the data (a catalog + feature config as of date_to, or a ready\n"
      "table), the treatment and outcome, transforms, the model, validation and the threshold\n"
      "rule; see INTERFACE.md and docs/training.md. Relative paths in it are relative to the\n"
      "config file. The bundle holds manifest.json (features, transforms, model, validation\n"
      "metrics, threshold, SHA-256 of every file), the model files and report.html (the\n"
      "one-page training report); `upcamp list models`.\n"
      "Training is a resumable run: stages features (catalog mode) -> fit -> bundle persist in\n"
      "RUNS_DIR/RUN_ID/stages/ (--runs-dir, default ./runs). Re-running the same command resumes\n"
      "a stopped training and restores an unchanged one; a changed config recomputes only the\n"
      "stages it affects. Default RUN_ID: train-<out folder name>-<8 hex of the hash of the\n"
      "absolute --out path>, so one run per output folder. See docs/training.md.");
  cmd->add_option("--config", args->config, "Training config (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "Bundle folder to write (replaced if it is a bundle)")
      ->required();
  cmd->add_option("--date-to", args->date_to, "Override data.date_to (catalog mode), YYYY-MM-DD");
  cmd->add_option("--validation-out", args->validation_out,
                  "Also write the held-out rows (key, treatment, outcome, score) to this table");
  cmd->add_option("--run-id", args->run_id,
                  "Training run id (default: derived from the --out path; see below)");
  cmd->add_option("--force-stage", args->force_stage,
                  "Recompute this stage (features, fit, bundle) and everything after it");
  cmd->add_option("--until-stage", args->until_stage,
                  "Stop after this stage (and what it needs); the bundle is not written");
  cmd->callback([args, selected] {
    *selected = [args](const GlobalOptions& g) { return RunTrain(*args, g); };
  });
}

void AddScoreCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand("score", "Score clients with a model bundle");
  cmd->footer(
      "Table mode: --table FILE holds the model's feature columns (and its id column).\n"
      "Catalog mode: --catalog FILE --date-to DATE computes the bundle's features first.\n"
      "Output: the key column (if any) and `score` (predicted uplift), in input order.");
  cmd->add_option("--model", args->model, "Model bundle folder")->required();
  cmd->add_option("--out", args->out, "Output table (.csv, .csv.gz, .csv.zst, .ucol)")->required();
  cmd->add_option("--table", args->table, "A feature table to score")->check(CLI::ExistingFile);
  cmd->add_option("--catalog", args->catalog, "catalog.yaml naming the tables")
      ->check(CLI::ExistingFile);
  cmd->add_option("--date-to", args->date_to, "Feature date YYYY-MM-DD (with --catalog)");
  cmd->add_option("--clients", args->clients, "Only these clients (a file with client_id)")
      ->check(CLI::ExistingFile);
  cmd->callback([args, selected] {
    *selected = [args](const GlobalOptions& g) { return RunScore(*args, g); };
  });
}

void AddMetricsCommand(CLI::App& app, CommandAction* selected) {
  auto args = std::make_shared<MetricsArgs>();
  CLI::App* cmd = app.add_subcommand("metrics", "Uplift metrics of a scored table, as JSON");
  cmd->footer(
      "Prints qini_auc and uplift_auc (normalized as scikit-uplift does), uplift_at_k_overall,\n"
      "uplift_at_k_by_group, weighted average uplift and the uplift-by-percentile table.\n"
      "Undefined metrics are null with the reason under \"undefined\". See docs/metrics.md.");
  cmd->add_option("--input", args->input, "Table with score, treatment and outcome columns")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--score", args->score, "Score column (higher = more uplift)")->required();
  cmd->add_option("--treatment", args->treatment, "Treatment column (0/1)")->required();
  cmd->add_option("--target", args->target, "Outcome column (binary or continuous)")->required();
  cmd->add_option("--k", args->k, "Top fraction for uplift@k")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--bins", args->bins, "Percentile bins")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--strategy", args->strategy, "Percentile table: overall | by_group")
      ->capture_default_str()
      ->check(CLI::IsMember({"overall", "by_group"}));
  cmd->add_option("--bootstrap", args->bootstrap,
                  "Bootstrap replicates for confidence intervals (0 = none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "Bootstrap seed")->capture_default_str();
  cmd->callback([args, selected] {
    *selected = [args](const GlobalOptions& g) { return RunMetrics(*args, g); };
  });
}

}  // namespace upcamp::cli
