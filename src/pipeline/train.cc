#include "pipeline/train.h"

#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/civil_time.h"
#include "core/file_util.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/version.h"
#include "data/catalog.h"
#include "data/table_io.h"
#include "data/ucol.h"
#include "features/engine.h"
#include "features/expression.h"
#include "features/registry.h"
#include "features/transform_registry.h"
#include "flow/run.h"
#include "metrics/bootstrap.h"
#include "metrics/summary.h"
#include "models/registry.h"
#include "pipeline/bundle.h"
#include "pipeline/train_report.h"

namespace upcamp::pipeline {
namespace fs = std::filesystem;

namespace {

// ---- the validated config ----------------------------------------------------------------------

enum class ThresholdRule { kPercentile, kScore, kProfit };

struct TrainConfig {
  uint64_t seed = 0;
  bool catalog_mode = false;
  // Catalog mode.
  std::string catalog_path;
  int64_t date_to = 0;
  std::string date_to_text;
  std::vector<std::unique_ptr<Calcer>> calcers;
  std::unique_ptr<Calcer> target_calcer;
  std::optional<Expression> target_expression;
  // Table mode.
  std::string table_path;
  std::string id_column;
  std::vector<std::string> explicit_features;
  // Both.
  std::string treatment_column;
  std::string target_column;  // the outcome column (table mode, or catalog `column:`)
  std::vector<std::unique_ptr<Transform>> transforms;
  nlohmann::json transforms_config = nlohmann::json::array();
  ConfigNode model_node;
  double test_fraction = 0;
  int folds = 0;
  ThresholdRule threshold_rule = ThresholdRule::kPercentile;
  double threshold_value = 75;  // percentile, score, or profit cost
  double profit_value = 1;      // profit: value of one unit of outcome
  nlohmann::json target_json;
};

// The name under which the outcome sits in the training table (transforms such as
// loo_mean_target_encoder may read it as col_target).
constexpr const char* kOutcomeColumn = "target";

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

Status ParseTarget(const ConfigNode& target, TrainConfig& c) {
  UPCAMP_RETURN_IF_ERROR(target.CheckKeys({"calcer", "treatment", "expression", "column"}));
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* calcer, target.Get("calcer"));
  UPCAMP_ASSIGN_OR_RETURN(c.target_calcer, MakeCalcer(*calcer));
  UPCAMP_ASSIGN_OR_RETURN(c.treatment_column, target.GetString("treatment", "treatment_flg"));
  UPCAMP_ASSIGN_OR_RETURN(std::string expression, target.GetString("expression", ""));
  UPCAMP_ASSIGN_OR_RETURN(c.target_column, target.GetString("column", ""));
  if (expression.empty() == c.target_column.empty()) {
    return target.Error(
        "give exactly one of 'expression' (e.g. \"target_purchases_sum\") or "
        "'column' to define the outcome");
  }
  if (!expression.empty()) {
    auto parsed = Expression::Parse(expression);
    if (!parsed.ok()) {
      return Status::Config("{} (data.target.expression): {}", target.Location(),
                            parsed.status().message());
    }
    c.target_expression = std::move(parsed).value();
  }
  c.target_json = {{"calcer", CalcerToJson(*c.target_calcer)}, {"treatment", c.treatment_column}};
  if (c.target_expression) {
    c.target_json["expression"] = expression;
  } else {
    c.target_json["column"] = c.target_column;
  }
  return Status::Ok();
}

Status ParseData(const ConfigNode& data, const std::string& base_dir, TrainConfig& c) {
  if (!data.IsMap()) return data.Error("expected a mapping (catalog + features, or table)");
  if (data.Has("catalog")) {
    c.catalog_mode = true;
    UPCAMP_RETURN_IF_ERROR(
        data.CheckKeys({"catalog", "date_to", "features", "target", "transforms"}));
    UPCAMP_ASSIGN_OR_RETURN(std::string catalog, data.GetString("catalog"));
    c.catalog_path = ResolvePath(base_dir, catalog);
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* date_to, data.Get("date_to"));
    UPCAMP_ASSIGN_OR_RETURN(c.date_to, date_to->AsDate());
    UPCAMP_ASSIGN_OR_RETURN(c.date_to_text, date_to->AsString());
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* features, data.Get("features"));
    UPCAMP_ASSIGN_OR_RETURN(c.calcers, MakeCalcers(*features));
    for (const auto& calcer : c.calcers) {
      if (calcer->is_target()) {
        return features->Error(
            "'{}' is a target calcer: put it under data.target.calcer, not "
            "among the features",
            calcer->name());
      }
    }
    if (c.calcers.empty()) return features->Error("the feature list is empty");
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* target, data.Get("target"));
    UPCAMP_RETURN_IF_ERROR(ParseTarget(*target, c));
  } else if (data.Has("table")) {
    UPCAMP_RETURN_IF_ERROR(
        data.CheckKeys({"table", "id", "treatment", "target", "features", "transforms"}));
    UPCAMP_ASSIGN_OR_RETURN(std::string table, data.GetString("table"));
    c.table_path = ResolvePath(base_dir, table);
    UPCAMP_ASSIGN_OR_RETURN(c.id_column, data.GetString("id", ""));
    UPCAMP_ASSIGN_OR_RETURN(c.treatment_column, data.GetString("treatment"));
    UPCAMP_ASSIGN_OR_RETURN(c.target_column, data.GetString("target"));
    if (const ConfigNode* features = data.Find("features"); features && !features->IsNull()) {
      UPCAMP_ASSIGN_OR_RETURN(c.explicit_features, features->AsStringList());
      if (c.explicit_features.empty()) return features->Error("the feature list is empty");
    }
    c.target_json = {{"treatment", c.treatment_column}, {"column", c.target_column}};
  } else {
    return data.Error(
        "give either 'catalog' (with date_to, features, target) or 'table' (with "
        "treatment, target)");
  }
  if (const ConfigNode* transforms = data.Find("transforms")) {
    UPCAMP_ASSIGN_OR_RETURN(c.transforms, MakeTransforms(*transforms));
    for (const auto& t : c.transforms) {
      c.transforms_config.push_back({{"name", t->name()}, {"args", t->args()}});
    }
  }
  return Status::Ok();
}

Status ParseValidation(const ConfigNode* node, TrainConfig& c) {
  if (!node || node->IsNull()) return Status::Ok();
  UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"test_fraction", "folds"}));
  if (node->Has("test_fraction") == node->Has("folds")) {
    return node->Error("give exactly one of test_fraction (e.g. 0.3) or folds (e.g. 4)");
  }
  if (node->Has("test_fraction")) {
    UPCAMP_ASSIGN_OR_RETURN(c.test_fraction, node->GetDouble("test_fraction"));
    if (!(c.test_fraction > 0 && c.test_fraction < 1)) {
      return node->Error("test_fraction must be in (0, 1), got {}", c.test_fraction);
    }
  } else {
    UPCAMP_ASSIGN_OR_RETURN(int64_t folds, node->GetInt("folds"));
    if (folds < 2 || folds > 100) return node->Error("folds must be in 2..100, got {}", folds);
    c.folds = static_cast<int>(folds);
  }
  return Status::Ok();
}

Status ParseThreshold(const ConfigNode* node, TrainConfig& c) {
  if (!node || node->IsNull()) return Status::Ok();  // default: 75th percentile
  UPCAMP_RETURN_IF_ERROR(node->CheckKeys({"percentile", "score", "profit"}));
  const int given = node->Has("percentile") + node->Has("score") + node->Has("profit");
  if (given != 1) {
    return node->Error(
        "give exactly one of percentile (0..100), score (a value) or profit "
        "({{value: V, cost: C}})");
  }
  if (node->Has("percentile")) {
    c.threshold_rule = ThresholdRule::kPercentile;
    UPCAMP_ASSIGN_OR_RETURN(c.threshold_value, node->GetDouble("percentile"));
    if (!(c.threshold_value >= 0 && c.threshold_value <= 100)) {
      return node->Error("percentile must be in [0, 100], got {}", c.threshold_value);
    }
  } else if (node->Has("score")) {
    c.threshold_rule = ThresholdRule::kScore;
    UPCAMP_ASSIGN_OR_RETURN(c.threshold_value, node->GetDouble("score"));
  } else {
    c.threshold_rule = ThresholdRule::kProfit;
    UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* profit, node->Get("profit"));
    if (profit->IsMap()) {
      UPCAMP_RETURN_IF_ERROR(profit->CheckKeys({"value", "cost"}));
      UPCAMP_ASSIGN_OR_RETURN(c.profit_value, profit->GetDouble("value", 1.0));
      UPCAMP_ASSIGN_OR_RETURN(c.threshold_value, profit->GetDouble("cost", 0.0));
    } else if (!profit->IsNull()) {
      return profit->Error("expected {{value: V, cost: C}} (both optional: 1 and 0)");
    } else {
      c.threshold_value = 0;
    }
    if (!(c.profit_value > 0)) return profit->Error("value must be > 0");
  }
  return Status::Ok();
}

Result<TrainConfig> ParseConfig(const ConfigNode& root, const std::string& base_dir,
                                const TrainOptions& options) {
  if (!root.IsMap()) return root.Error("expected a training config mapping");
  UPCAMP_RETURN_IF_ERROR(root.CheckKeys({"seed", "data", "model", "validation", "threshold"}));
  TrainConfig c;
  UPCAMP_ASSIGN_OR_RETURN(int64_t seed, root.GetInt("seed", 0));
  c.seed = static_cast<uint64_t>(seed);
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* data, root.Get("data"));
  UPCAMP_RETURN_IF_ERROR(ParseData(*data, base_dir, c));
  if (!options.date_to.empty()) {
    if (!c.catalog_mode) return Status::Usage("--date-to applies to catalog-mode configs only");
    const auto parsed = ParseDate(options.date_to);
    if (!parsed) return Status::Usage("--date-to must be YYYY-MM-DD, got '{}'", options.date_to);
    c.date_to = *parsed;
    c.date_to_text = options.date_to;
  }
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* model, root.Get("model"));
  c.model_node = *model;
  UPCAMP_RETURN_IF_ERROR(models::MakeModel(c.model_node).status());  // validate before work
  UPCAMP_RETURN_IF_ERROR(ParseValidation(root.Find("validation"), c));
  UPCAMP_RETURN_IF_ERROR(ParseThreshold(root.Find("threshold"), c));
  return c;
}

// ---- the training table ------------------------------------------------------------------------

struct TrainingTable {
  Table table;                    // features (raw, before transforms) + the outcome column
  std::vector<std::string> keys;  // client ids (or row numbers) for the seeded split
  std::vector<uint8_t> treatment;
  std::vector<double> outcome;
  std::vector<std::string> base_features;  // feature columns before transforms (catalog mode)
  std::string source;
  int64_t dropped_no_treatment = 0, dropped_no_outcome = 0;
};

// Reads a 0/1 treatment column; missing → 2 (the row is dropped), other values are data errors.
Result<std::vector<uint8_t>> TreatmentValues(const Column& column, const std::string& what) {
  std::vector<uint8_t> out(column.size());
  for (size_t i = 0; i < column.size(); ++i) {
    const double v = column.AsDouble(i);
    if (std::isnan(v)) {
      out[i] = 2;
    } else if (v == 0 || v == 1) {
      out[i] = static_cast<uint8_t>(v);
    } else {
      return Status::Data("{}: treatment column '{}' must be 0/1, row {} has {}", what,
                          column.name(), i + 1, column.ValueToString(i));
    }
  }
  return out;
}

std::string KeyOf(const Column* id, size_t row) {
  return id ? id->ValueToString(row) : std::to_string(row);
}

// Row keys for the seeded split: the client id, else the row number.
std::vector<std::string> RowKeys(const Table& table, const std::string& id_column) {
  const Column* id = id_column.empty() ? nullptr : table.FindColumn(id_column);
  std::vector<std::string> keys(table.num_rows());
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = KeyOf(id, i);
  return keys;
}

// Keeps the rows with a treatment and an outcome.
Status FinishTrainingTable(Table raw, const std::vector<std::string>& keys,
                           std::vector<uint8_t> treatment, std::vector<double> outcome,
                           TrainingTable& out) {
  std::vector<int64_t> keep;
  for (size_t i = 0; i < treatment.size(); ++i) {
    if (treatment[i] == 2) {
      ++out.dropped_no_treatment;
    } else if (std::isnan(outcome[i])) {
      ++out.dropped_no_outcome;
    } else {
      keep.push_back(static_cast<int64_t>(i));
    }
  }
  for (int64_t row : keep) {
    const auto r = static_cast<size_t>(row);
    out.keys.push_back(keys[r]);
    out.treatment.push_back(treatment[r]);
    out.outcome.push_back(outcome[r]);
  }
  out.table = keep.size() == raw.num_rows() ? std::move(raw) : raw.TakeRows(keep);
  return out.table.SetColumn(Column::Float64(kOutcomeColumn, out.outcome));
}

// Files of the training run's stages.
constexpr const char* kFeatureTableFile = "table.ucol";
constexpr const char* kFeatureInfoFile = "features.json";
constexpr const char* kFitInfoFile = "fit.json";
constexpr const char* kScoresFile = "scores.ucol";
constexpr const char* kModelDir = "model";

// The features stage (catalog mode): the feature calcers and the target calcer in one
// extraction as of date_to -> table.ucol (client_id, features, target columns) + features.json
// (the feature columns, the target calcer's columns, the source).
Status RunFeaturesStage(const TrainConfig& c, const Catalog& catalog, flow::StageContext& s) {
  const Context& ctx = s.ctx();
  std::vector<std::unique_ptr<Calcer>> all;
  for (const auto& calcer : c.calcers) {
    UPCAMP_ASSIGN_OR_RETURN(
        auto copy, MakeCalcer(ConfigNode::FromJson(CalcerToJson(*calcer), "<feature config>")));
    all.push_back(std::move(copy));
  }
  UPCAMP_ASSIGN_OR_RETURN(
      auto target_copy,
      MakeCalcer(ConfigNode::FromJson(CalcerToJson(*c.target_calcer), "<target calcer>")));
  std::vector<std::string> target_columns;
  for (const auto& field : target_copy->OutputSchema()) target_columns.push_back(field.name);
  all.push_back(std::move(target_copy));
  std::vector<std::string> base_features;
  for (const auto& calcer : c.calcers) {
    for (const auto& field : calcer->OutputSchema()) base_features.push_back(field.name);
  }
  ExtractOptions options;
  options.params.date_to = c.date_to;
  CatalogSource source(catalog);
  UPCAMP_ASSIGN_OR_RETURN(Table raw, ExtractFeatures(all, source, options, ctx));
  UcolWriteOptions write;
  write.threads = ctx.threads;
  UPCAMP_RETURN_IF_ERROR(WriteUcol(raw, s.OutputPath(kFeatureTableFile), write));
  s.SetRows(static_cast<int64_t>(raw.num_rows()));
  return WriteJsonFileAtomic(
      s.OutputPath(kFeatureInfoFile),
      {{"base_features", base_features},
       {"target_columns", target_columns},
       {"source", fmt::format("catalog {} as of {}", c.catalog_path, c.date_to_text)}});
}

// The training table from the features stage's output: treatment and outcome defined, the target
// calcer's columns removed, rows without a treatment or an outcome dropped.
Result<TrainingTable> LoadCatalogTable(const TrainConfig& c, const std::string& features_dir,
                                       const Context& ctx) {
  TrainingTable out;
  UcolReadOptions read;
  read.threads = ctx.threads;
  UPCAMP_ASSIGN_OR_RETURN(Table raw,
                          ReadUcol((fs::path(features_dir) / kFeatureTableFile).string(), read));
  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json info,
                          ReadJsonFile((fs::path(features_dir) / kFeatureInfoFile).string()));
  out.base_features = info.at("base_features").get<std::vector<std::string>>();
  const std::string what = fmt::format("features of {} as of {}", c.catalog_path, c.date_to_text);
  UPCAMP_ASSIGN_OR_RETURN(const Column* treatment_column,
                          raw.GetColumn(c.treatment_column, "the target calcer's output"));
  UPCAMP_ASSIGN_OR_RETURN(auto treatment, TreatmentValues(*treatment_column, what));
  std::vector<double> outcome;
  if (c.target_expression) {
    UPCAMP_ASSIGN_OR_RETURN(outcome, c.target_expression->Evaluate(raw));
  } else {
    UPCAMP_ASSIGN_OR_RETURN(const Column* column, raw.GetColumn(c.target_column, what));
    outcome.resize(raw.num_rows());
    for (size_t i = 0; i < raw.num_rows(); ++i) outcome[i] = column->AsDouble(i);
  }
  // The target calcer's columns must never become features.
  for (const auto& name : info.at("target_columns")) raw.RemoveColumn(name.get<std::string>());
  if (raw.FindColumn(kOutcomeColumn)) {
    return Status::Config("a feature column is named '{}', which is reserved for the outcome",
                          kOutcomeColumn);
  }
  const auto keys = RowKeys(raw, "client_id");
  UPCAMP_RETURN_IF_ERROR(
      FinishTrainingTable(std::move(raw), keys, std::move(treatment), std::move(outcome), out));
  out.source = info.at("source").get<std::string>();
  return out;
}

Result<TrainingTable> LoadTableFile(const TrainConfig& c, const Context& ctx) {
  TrainingTable out;
  TableReadOptions read;
  read.progress_label = "train";
  if (!c.id_column.empty()) read.schema.push_back({c.id_column, DataType::kString});
  UPCAMP_ASSIGN_OR_RETURN(Table raw, ReadTableFile(c.table_path, read, ctx));
  const Column* id = nullptr;
  if (!c.id_column.empty()) {
    UPCAMP_ASSIGN_OR_RETURN(id, raw.GetColumn(c.id_column, c.table_path));
    std::vector<uint8_t> seen(static_cast<size_t>(id->dictionary().size()), 0);
    for (size_t i = 0; i < raw.num_rows(); ++i) {
      const int32_t code = id->codes()[i];
      if (code < 0)
        return Status::Data("{}: row {}: empty id '{}'", c.table_path, i + 1, c.id_column);
      if (seen[static_cast<size_t>(code)]++) {
        return Status::Data("{}: row {}: duplicate id '{}' in column '{}'", c.table_path, i + 1,
                            id->dictionary().Get(code), c.id_column);
      }
    }
  }
  UPCAMP_ASSIGN_OR_RETURN(const Column* treatment_column,
                          raw.GetColumn(c.treatment_column, c.table_path));
  UPCAMP_ASSIGN_OR_RETURN(auto treatment, TreatmentValues(*treatment_column, c.table_path));
  UPCAMP_ASSIGN_OR_RETURN(const Column* target_column,
                          raw.GetColumn(c.target_column, c.table_path));
  if (target_column->type() == DataType::kString) {
    return Status::Data("{}: target column '{}' holds text; it must be numeric", c.table_path,
                        c.target_column);
  }
  std::vector<double> outcome(raw.num_rows());
  for (size_t i = 0; i < raw.num_rows(); ++i) outcome[i] = target_column->AsDouble(i);
  if (c.explicit_features.empty()) {
    for (const auto& column : raw.columns()) {
      const auto& name = column.name();
      if (name == c.id_column || name == c.treatment_column || name == c.target_column) continue;
      out.base_features.push_back(name);
    }
  } else {
    out.base_features = c.explicit_features;
    std::vector<std::string> missing;
    for (const auto& name : c.explicit_features) {
      if (!raw.FindColumn(name)) missing.push_back(name);
      if (name == c.treatment_column || name == c.target_column) {
        return Status::Config("data.features: '{}' is the treatment or the target, not a feature",
                              name);
      }
    }
    if (!missing.empty()) {
      return Status::Data("{}: feature column(s) not in the table: {}", c.table_path,
                          fmt::join(missing, ", "));
    }
  }
  const auto keys = RowKeys(raw, c.id_column);
  raw.RemoveColumn(c.treatment_column);
  raw.RemoveColumn(c.target_column);
  if (raw.FindColumn(kOutcomeColumn)) raw.RemoveColumn(kOutcomeColumn);
  UPCAMP_RETURN_IF_ERROR(
      FinishTrainingTable(std::move(raw), keys, std::move(treatment), std::move(outcome), out));
  out.source = fmt::format("table {}", c.table_path);
  return out;
}

// ---- fitting -----------------------------------------------------------------------------------

// The model's input columns: the base features and the transforms' outputs, minus text and
// timestamp columns (absolute times do not carry over to a later scoring date) and the outcome.
std::vector<std::string> ModelColumns(const Table& table, const std::vector<std::string>& base,
                                      const FittedTransforms& fitted,
                                      std::vector<std::string>* skipped) {
  std::vector<std::string> candidates = base;
  for (const auto& name : ProducedColumns(fitted)) {
    if (std::find(candidates.begin(), candidates.end(), name) == candidates.end()) {
      candidates.push_back(name);
    }
  }
  std::vector<std::string> out;
  for (const auto& name : candidates) {
    const Column* column = table.FindColumn(name);
    if (!column || name == kOutcomeColumn) continue;
    if (column->type() == DataType::kString || column->type() == DataType::kTimestamp) {
      if (skipped) skipped->push_back(name);
      continue;
    }
    out.push_back(name);
  }
  return out;
}

struct FitResult {
  std::unique_ptr<models::UpliftModel> model;
  FittedTransforms transforms;
  std::vector<std::string> columns;
  std::vector<std::string> skipped;
};

Status CheckBothGroups(std::span<const uint8_t> treatment, const std::string& what) {
  size_t treated = 0;
  for (uint8_t t : treatment) treated += t;
  if (treated == 0 || treated == treatment.size()) {
    return Status::Data("{}: needs both treated and control rows (has {} treated of {})", what,
                        treated, treatment.size());
  }
  return Status::Ok();
}

Result<FitResult> FitOn(const TrainConfig& c, const TrainingTable& data,
                        std::span<const int64_t> rows, uint64_t model_seed, const Context& ctx) {
  FitResult fit;
  Table train = data.table.TakeRows(rows);
  UPCAMP_ASSIGN_OR_RETURN(fit.transforms, FitTransforms(c.transforms, train));
  fit.columns = ModelColumns(train, data.base_features, fit.transforms, &fit.skipped);
  if (fit.columns.empty()) return Status::Data("no numeric feature columns to train on");
  UPCAMP_ASSIGN_OR_RETURN(auto x, models::FeatureMatrix::FromTable(train, fit.columns));
  std::vector<uint8_t> treatment(rows.size());
  std::vector<double> outcome(rows.size());
  bool binary = true;
  for (size_t i = 0; i < rows.size(); ++i) {
    treatment[i] = data.treatment[static_cast<size_t>(rows[i])];
    outcome[i] = data.outcome[static_cast<size_t>(rows[i])];
    binary = binary && (outcome[i] == 0 || outcome[i] == 1);
  }
  UPCAMP_RETURN_IF_ERROR(CheckBothGroups(treatment, "training rows"));
  UPCAMP_ASSIGN_OR_RETURN(fit.model, models::MakeModel(c.model_node));
  models::TrainingData td{&x, treatment, outcome,
                          binary ? models::OutcomeKind::kBinary : models::OutcomeKind::kContinuous};
  Context model_ctx = ctx;
  model_ctx.seed = model_seed;
  UPCAMP_RETURN_IF_ERROR(fit.model->Fit(td, model_ctx));
  return fit;
}

Result<std::vector<double>> PredictOn(const FitResult& fit, const TrainingTable& data,
                                      std::span<const int64_t> rows, const Context& ctx) {
  Table part = data.table.TakeRows(rows);
  UPCAMP_RETURN_IF_ERROR(ApplyTransforms(fit.transforms, part));
  UPCAMP_ASSIGN_OR_RETURN(auto x, models::FeatureMatrix::FromTable(part, fit.columns));
  return fit.model->Predict(x, ctx);
}

std::vector<double> Percentiles(std::vector<double> scores) {
  std::vector<double> out;
  if (scores.empty()) return out;
  std::sort(scores.begin(), scores.end());
  for (int p = 0; p <= 100; ++p) out.push_back(metrics::Quantile(scores, p / 100.0));
  return out;
}

std::string RuleText(const TrainConfig& c) {
  switch (c.threshold_rule) {
    case ThresholdRule::kPercentile:
      return fmt::format("percentile {}", c.threshold_value);
    case ThresholdRule::kScore:
      return fmt::format("score {}", c.threshold_value);
    case ThresholdRule::kProfit:
      return fmt::format("profit: offer while value*uplift - cost > 0 (value {}, cost {})",
                         c.profit_value, c.threshold_value);
  }
  return "";
}

double ThresholdFrom(const TrainConfig& c, const std::vector<double>& scores) {
  switch (c.threshold_rule) {
    case ThresholdRule::kPercentile: {
      std::vector<double> sorted = scores;
      std::sort(sorted.begin(), sorted.end());
      return metrics::Quantile(sorted, c.threshold_value / 100.0);
    }
    case ThresholdRule::kScore:
      return c.threshold_value;
    // Scores are predicted uplift in outcome units: one offer's expected incremental profit is
    // value * score - cost, negative below score = cost / value.
    case ThresholdRule::kProfit:
      return c.threshold_value / c.profit_value;
  }
  return 0;
}

// The name of the row key in outputs: client_id, the table's id column, or "row".
std::string KeyColumnName(const TrainConfig& c) {
  if (c.catalog_mode) return "client_id";
  return c.id_column.empty() ? "row" : c.id_column;
}

uint64_t Fingerprint(const TrainingTable& data) {
  Hasher h(0x7261696eULL);
  h.Str(data.source).U64(data.keys.size());
  for (size_t i = 0; i < data.keys.size(); ++i) {
    h.Str(data.keys[i]).U64(data.treatment[i]).F64(data.outcome[i]);
  }
  for (const auto& column : data.table.columns()) {
    h.Str(column.name());
    for (size_t i = 0; i < column.size(); ++i) {
      if (column.type() == DataType::kString) {
        h.Str(column.ValueToString(i));
      } else {
        h.F64(column.AsDouble(i));
      }
    }
  }
  return h.Digest();
}

// ---- the stages ---------------------------------------------------------------------------------

// Bump a stage's version whenever its code changes what it writes: finished runs then recompute
// it (and everything downstream) instead of restoring stale output.
constexpr const char* kFeaturesVersion = "train-features-v1";
constexpr const char* kFitVersion = "train-fit-v1";
constexpr const char* kBundleVersion = "train-bundle-v1";
constexpr const char* kReportFile = "report.html";
// Bootstrap replicates of the validation metrics' intervals (report and manifest).
constexpr int kBootstrapReplicates = 200;

// The fit stage: the training table, the validation split and its models (held-out or
// out-of-fold scores), the shipped model -> model/ (the model's files), fit.json (everything the
// manifest needs from the fit) and scores.ucol (key, treatment, outcome, score of the validation
// rows; without validation, the shipped model's scores of its own training rows).
Status RunFitStage(const TrainConfig& c, flow::StageContext& s) {
  const Context& ctx = s.ctx();
  TrainingTable data;
  if (c.catalog_mode) {
    UPCAMP_ASSIGN_OR_RETURN(std::string dir, s.InputDir("features"));
    UPCAMP_ASSIGN_OR_RETURN(data, LoadCatalogTable(c, dir, ctx));
  } else {
    UPCAMP_ASSIGN_OR_RETURN(data, LoadTableFile(c, ctx));
  }
  const auto n = static_cast<int64_t>(data.keys.size());
  if (data.dropped_no_treatment > 0 || data.dropped_no_outcome > 0) {
    spdlog::info("train: {} rows; dropped {} without a treatment value and {} without an outcome",
                 n, data.dropped_no_treatment, data.dropped_no_outcome);
  }
  if (n == 0) return Status::Data("{}: no rows with both a treatment and an outcome", data.source);
  UPCAMP_RETURN_IF_ERROR(CheckBothGroups(data.treatment, data.source));
  bool binary = true;
  int64_t treated = 0;
  for (int64_t i = 0; i < n; ++i) {
    binary = binary && (data.outcome[static_cast<size_t>(i)] == 0 ||
                        data.outcome[static_cast<size_t>(i)] == 1);
    treated += data.treatment[static_cast<size_t>(i)];
  }

  // Seeded split keyed by client id, so a client's side does not depend on row order.
  std::vector<double> validation_scores;
  std::vector<int64_t> validation_rows;
  // With a single test split, the model fitted on the training part is the shipped one, so the
  // reported metrics describe exactly the model in the bundle.
  std::optional<FitResult> split_fit;
  std::vector<int64_t> split_fit_rows;
  if (c.test_fraction > 0 || c.folds > 0) {
    const int parts = c.folds > 0 ? c.folds : 0;
    std::vector<int> part(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t h = KeyedHash(c.seed, "validation", data.keys[static_cast<size_t>(i)]);
      part[static_cast<size_t>(i)] = parts > 0 ? static_cast<int>(h % static_cast<uint64_t>(parts))
                                               : (UnitInterval(h) < c.test_fraction ? 1 : 0);
    }
    const int rounds = parts > 0 ? parts : 1;
    std::vector<double> oof(static_cast<size_t>(n), kNullFloat64);
    for (int r = 0; r < rounds; ++r) {
      const int held_out = parts > 0 ? r : 1;
      std::vector<int64_t> fit_rows, held_rows;
      for (int64_t i = 0; i < n; ++i) {
        (part[static_cast<size_t>(i)] == held_out ? held_rows : fit_rows).push_back(i);
      }
      if (held_rows.empty() || fit_rows.empty()) {
        return Status::Data(
            "{}: the validation split left a part empty ({} rows); use more "
            "data or another test_fraction/folds",
            data.source, n);
      }
      if (parts > 0) {
        spdlog::info("train: fold {}/{} ({} rows held out)", r + 1, parts, held_rows.size());
      }
      UPCAMP_ASSIGN_OR_RETURN(FitResult fit,
                              FitOn(c, data, fit_rows, MixSeed(c.seed, 1000 + r), ctx));
      UPCAMP_ASSIGN_OR_RETURN(auto scores, PredictOn(fit, data, held_rows, ctx));
      for (size_t i = 0; i < held_rows.size(); ++i) {
        oof[static_cast<size_t>(held_rows[i])] = scores[i];
      }
      if (parts == 0) {
        split_fit = std::move(fit);
        split_fit_rows = std::move(fit_rows);
      }
    }
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isnan(oof[static_cast<size_t>(i)])) {
        validation_rows.push_back(i);
        validation_scores.push_back(oof[static_cast<size_t>(i)]);
      }
    }
  }

  // The bundle's model: the one fitted on the training part of a single test split; otherwise
  // (folds, or no validation) fitted on every row.
  std::vector<int64_t> final_rows;
  FitResult final_fit;
  if (split_fit) {
    final_rows = std::move(split_fit_rows);
    final_fit = std::move(*split_fit);
  } else {
    final_rows.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) final_rows[static_cast<size_t>(i)] = i;
    UPCAMP_ASSIGN_OR_RETURN(final_fit, FitOn(c, data, final_rows, MixSeed(c.seed, 1), ctx));
  }
  if (!final_fit.skipped.empty()) {
    spdlog::info("train: not used as model inputs (text or timestamp): {}",
                 fmt::join(final_fit.skipped, ", "));
  }
  const bool validated = !validation_rows.empty();
  std::vector<int64_t> score_rows = validation_rows;
  std::vector<double> scores = validation_scores;
  if (!validated) {
    score_rows = final_rows;
    UPCAMP_ASSIGN_OR_RETURN(scores, PredictOn(final_fit, data, final_rows, ctx));
  }

  // Outputs.
  const std::string model_dir = s.OutputPath(kModelDir);
  UPCAMP_RETURN_IF_ERROR(MakeDirectories(model_dir));
  UPCAMP_ASSIGN_OR_RETURN(models::SavedModel saved, final_fit.model->Save(model_dir));
  nlohmann::json importance = nlohmann::json::object();
  const auto weights = final_fit.model->FeatureImportance();
  for (size_t j = 0; j < final_fit.columns.size() && j < weights.size(); ++j) {
    importance[final_fit.columns[j]] = weights[j];
  }
  std::vector<std::optional<std::string>> keys;
  std::vector<int64_t> treatment_values;
  std::vector<double> outcomes;
  for (int64_t i : score_rows) {
    keys.emplace_back(data.keys[static_cast<size_t>(i)]);
    treatment_values.push_back(data.treatment[static_cast<size_t>(i)]);
    outcomes.push_back(data.outcome[static_cast<size_t>(i)]);
  }
  UPCAMP_ASSIGN_OR_RETURN(Table scored,
                          Table::Make({Column::StringFromValues(KeyColumnName(c), keys),
                                       Column::Int64("treatment", std::move(treatment_values)),
                                       Column::Float64("outcome", std::move(outcomes)),
                                       Column::Float64("score", std::move(scores))}));
  UcolWriteOptions write;
  write.threads = ctx.threads;
  UPCAMP_RETURN_IF_ERROR(WriteUcol(scored, s.OutputPath(kScoresFile), write));
  const nlohmann::json fit = {
      {"model_type", final_fit.model->type()},
      {"model_config", final_fit.model->config()},
      {"model_state", saved.state},
      {"model_files", saved.files},
      {"importance", importance},
      {"columns", final_fit.columns},
      {"skipped_columns", final_fit.skipped},
      {"transforms", FittedTransformsToJson(final_fit.transforms)},
      {"outcome", binary ? "binary" : "continuous"},
      {"rows", n},
      {"n_treatment", treated},
      {"n_control", n - treated},
      {"model_rows", final_rows.size()},
      {"dropped_no_treatment", data.dropped_no_treatment},
      {"dropped_no_outcome", data.dropped_no_outcome},
      {"fingerprint", Hex64(Fingerprint(data))},
      {"source", data.source},
      {"validation",
       validated ? nlohmann::json{{"method",
                                   c.folds > 0 ? fmt::format("{} folds", c.folds)
                                               : fmt::format("test_fraction {}", c.test_fraction)},
                                  {"rows", validation_rows.size()}}
                 : nlohmann::json()},
      {"scores", validated ? "validation" : "training"}};
  s.SetRows(n);
  return WriteJsonFileAtomic(s.OutputPath(kFitInfoFile), fit);
}

// The scores table of the fit stage as plain vectors.
struct ScoresData {
  std::vector<double> score, outcome;
  std::vector<uint8_t> treatment;
};

Result<ScoresData> ReadScores(const std::string& path, const Context& ctx) {
  UcolReadOptions read;
  read.threads = ctx.threads;
  read.columns = {"treatment", "outcome", "score"};
  UPCAMP_ASSIGN_OR_RETURN(Table t, ReadUcol(path, read));
  ScoresData out;
  const auto treatment = t.column(0).int64s();
  out.treatment.assign(treatment.begin(), treatment.end());
  const auto outcome = t.column(1).float64s();
  out.outcome.assign(outcome.begin(), outcome.end());
  const auto score = t.column(2).float64s();
  out.score.assign(score.begin(), score.end());
  return out;
}

// The bundle stage: the complete bundle folder — the model files, report.html and manifest.json
// (validation metrics with bootstrap intervals, threshold, score percentiles, SHA-256 of every
// file). Published to --out after the run.
Status RunBundleStage(const TrainConfig& c, flow::StageContext& s) {
  const Context& ctx = s.ctx();
  UPCAMP_ASSIGN_OR_RETURN(std::string fit_dir, s.InputDir("fit"));
  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json fit,
                          ReadJsonFile((fs::path(fit_dir) / kFitInfoFile).string()));
  UPCAMP_ASSIGN_OR_RETURN(ScoresData scores,
                          ReadScores((fs::path(fit_dir) / kScoresFile).string(), ctx));
  std::vector<std::string> files;
  for (const auto& name : fit.at("model_files")) {
    const std::string rel = name.get<std::string>();
    UPCAMP_ASSIGN_OR_RETURN(std::string content,
                            ReadFileToString((fs::path(fit_dir) / kModelDir / rel).string()));
    const fs::path to = fs::path(s.output_dir()) / rel;
    UPCAMP_RETURN_IF_ERROR(MakeDirectories(to.parent_path().string()));
    UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(to.string(), content));
    files.push_back(rel);
  }

  const bool validated = fit.at("scores") == "validation";
  nlohmann::json validation = nlohmann::json();
  if (validated) {
    metrics::SummaryOptions mo;
    metrics::BootstrapOptions bootstrap;
    bootstrap.replicates = kBootstrapReplicates;
    bootstrap.seed = KeyedHash(c.seed, "validation_bootstrap", "");
    bootstrap.stratified = true;
    mo.bootstrap = bootstrap;
    auto summary = metrics::MetricsSummary(scores.score, scores.treatment, scores.outcome, mo, ctx);
    if (!summary.ok()) return Status::Data("validation metrics: {}", summary.status().message());
    validation = fit.at("validation");
    validation["metrics"] = std::move(summary).value();
  } else {
    spdlog::warn(
        "train: no validation configured; the threshold and score percentiles come from "
        "the training rows (optimistic)");
  }
  const double threshold = ThresholdFrom(c, scores.score);
  nlohmann::json serving = nlohmann::json();
  if (c.catalog_mode) {
    serving = nlohmann::json::array();
    for (const auto& calcer : c.calcers) serving.push_back(CalcerToJson(*calcer));
  }
  nlohmann::json target = c.target_json;
  target["outcome"] = fit.at("outcome");
  nlohmann::json manifest = {
      {"format", kBundleFormat},
      {"format_version", kBundleFormatVersion},
      {"tool_version", kVersion},
      {"created", CreatedTimestamp()},
      {"seed", c.seed},
      {"model",
       {{"type", fit.at("model_type")},
        {"config", fit.at("model_config")},
        {"state", fit.at("model_state")},
        {"importance", fit.at("importance")}}},
      {"features",
       {{"columns", fit.at("columns")},
        {"config", serving},
        {"transforms", fit.at("transforms")},
        {"id_column", c.catalog_mode ? std::string("client_id") : c.id_column}}},
      {"target", target},
      {"training_data",
       {{"fingerprint", fit.at("fingerprint")},
        {"rows", fit.at("rows")},
        {"n_treatment", fit.at("n_treatment")},
        {"n_control", fit.at("n_control")},
        {"model_rows", fit.at("model_rows")},
        {"source", fit.at("source")},
        {"date_to", c.catalog_mode ? nlohmann::json(c.date_to_text) : nlohmann::json()}}},
      {"validation", validation},
      {"threshold", {{"value", threshold}, {"rule", RuleText(c)}}},
      {"score_percentiles", Percentiles(scores.score)},
      {"report", kReportFile},
  };
  const ScoredRows rows{scores.score, scores.treatment, scores.outcome};
  UPCAMP_ASSIGN_OR_RETURN(std::string html,
                          TrainingReportHtml(manifest, validated ? &rows : nullptr));
  UPCAMP_RETURN_IF_ERROR(WriteFileAtomic(s.OutputPath(kReportFile), html));
  files.push_back(kReportFile);
  s.SetRows(static_cast<int64_t>(scores.score.size()));
  return WriteBundleManifest(s.output_dir(), std::move(manifest), files);
}

// Every stage's params: the slice of the config it depends on (hashed into its fingerprint).
nlohmann::json FeaturesParams(const TrainConfig& c) {
  nlohmann::json calcers = nlohmann::json::array();
  for (const auto& calcer : c.calcers) calcers.push_back(CalcerToJson(*calcer));
  return {{"catalog", c.catalog_path},
          {"date_to", c.date_to_text},
          {"features", calcers},
          {"target_calcer", CalcerToJson(*c.target_calcer)}};
}

nlohmann::json FitParams(const TrainConfig& c) {
  nlohmann::json p = {{"seed", c.seed},
                      {"target", c.target_json},
                      {"transforms", c.transforms_config},
                      {"model", c.model_node.ToJson()},
                      {"validation", {{"test_fraction", c.test_fraction}, {"folds", c.folds}}}};
  if (!c.catalog_mode) {
    p["table"] = {{"path", c.table_path}, {"id", c.id_column}, {"features", c.explicit_features}};
  }
  return p;
}

nlohmann::json BundleParams(const TrainConfig& c) {
  nlohmann::json serving = nlohmann::json::array();
  for (const auto& calcer : c.calcers) serving.push_back(CalcerToJson(*calcer));
  return {{"threshold", RuleText(c)},
          {"seed", c.seed},
          {"target", c.target_json},
          {"serving", serving},
          {"id_column", c.id_column},
          {"date_to", c.catalog_mode ? nlohmann::json(c.date_to_text) : nlohmann::json()},
          {"format_version", kBundleFormatVersion},
          {"tool_version", kVersion},
          {"bootstrap_replicates", kBootstrapReplicates}};
}

// Removes a folder on scope exit (the temporary runs folder of a run without --runs-dir).
struct RemoveOnExit {
  std::string path;
  ~RemoveOnExit() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

const std::vector<std::string>& TrainStageNames(bool catalog_mode) {
  static const std::vector<std::string> kCatalog = {"features", "fit", "bundle"};
  static const std::vector<std::string> kTable = {"fit", "bundle"};
  return catalog_mode ? kCatalog : kTable;
}

std::string DefaultTrainRunId(const std::string& out_dir) {
  const fs::path target = fs::absolute(out_dir).lexically_normal();
  std::string name = target.filename().string();
  if (name.empty()) name = target.parent_path().filename().string();
  std::string clean;
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
    clean += ok ? ch : '_';
    if (clean.size() == 40) break;
  }
  return fmt::format("train-{}-{}", clean.empty() ? "bundle" : clean,
                     Hex64(Hash64(target.string())).substr(0, 8));
}

Result<TrainSummary> Train(const ConfigNode& config, const std::string& base_dir,
                           const std::string& out_dir, const TrainOptions& options,
                           const Context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  UPCAMP_ASSIGN_OR_RETURN(TrainConfig c, ParseConfig(config, base_dir, options));
  const std::vector<std::string>& names = TrainStageNames(c.catalog_mode);
  for (const std::string* stage : {&options.force_stage, &options.until_stage}) {
    if (!stage->empty() && std::find(names.begin(), names.end(), *stage) == names.end()) {
      return Status::Usage("unknown training stage '{}' (stages: {})", *stage,
                           fmt::join(names, ", "));
    }
  }
  const std::string run_id = options.run_id.empty() ? DefaultTrainRunId(out_dir) : options.run_id;
  UPCAMP_RETURN_IF_ERROR(flow::ValidateName(run_id, "run id"));

  // Catalog mode: the catalog's files are the features stage's external inputs.
  std::optional<Catalog> catalog;
  std::vector<flow::ExternalFile> catalog_files;
  if (c.catalog_mode) {
    UPCAMP_ASSIGN_OR_RETURN(Catalog loaded, Catalog::Load(c.catalog_path));
    catalog = std::move(loaded);
    catalog_files.push_back({catalog->path(), false});
    for (const auto& table : catalog->tables()) {
      if (!table.path.empty()) catalog_files.push_back({table.path, false});
    }
  }

  // Without a runs folder the run lives in a temporary one beside the bundle (no resume).
  RemoveOnExit temporary_runs;
  std::string runs_dir = options.runs_dir;
  if (runs_dir.empty()) {
    const fs::path target = fs::absolute(out_dir).lexically_normal();
    UPCAMP_RETURN_IF_ERROR(MakeDirectories(target.parent_path().string()));
    runs_dir = (target.parent_path() /
                fmt::format(".{}.train-runs-{}", target.filename().string(), getpid()))
                   .string();
    temporary_runs.path = runs_dir;
  }

  std::vector<flow::StageSpec> stages;
  if (c.catalog_mode) {
    stages.push_back(
        {.name = "features",
         .code_version = kFeaturesVersion,
         .inputs = {},
         .params = FeaturesParams(c),
         .external_files = catalog_files,
         .run = [&](flow::StageContext& s) { return RunFeaturesStage(c, *catalog, s); }});
  }
  std::vector<flow::ExternalFile> table_files;
  if (!c.catalog_mode) table_files.push_back({c.table_path, false});
  stages.push_back(
      {.name = "fit",
       .code_version = kFitVersion,
       .inputs = c.catalog_mode ? std::vector<std::string>{"features"} : std::vector<std::string>{},
       .params = FitParams(c),
       .external_files = table_files,
       .run = [&](flow::StageContext& s) { return RunFitStage(c, s); }});
  stages.push_back({.name = "bundle",
                    .code_version = kBundleVersion,
                    .inputs = {"fit"},
                    .params = BundleParams(c),
                    .external_files = {},
                    .run = [&](flow::StageContext& s) { return RunBundleStage(c, s); }});

  flow::RunOptions run;
  run.runs_dir = runs_dir;
  run.run_id = run_id;
  run.config = config.ToJson();
  run.force_stage = options.force_stage;
  run.until_stage = options.until_stage;
  run.ctx = ctx;
  run.ctx.seed = c.seed;
  UPCAMP_ASSIGN_OR_RETURN(flow::RunSummary flow_summary, flow::RunFlow(run, stages));

  TrainSummary summary;
  summary.run_id = run_id;
  summary.runs_dir = options.runs_dir;
  summary.folds = c.folds;
  for (const auto& stage : flow_summary.stages) {
    summary.stages.push_back({{"name", stage.name},
                              {"action", flow::ActionName(stage.action)},
                              {"rows", stage.rows},
                              {"seconds", stage.duration_s},
                              {"reason", stage.reason}});
  }
  const flow::StageOutcome* bundle = flow_summary.Find("bundle");
  if (!bundle || bundle->action == flow::StageOutcome::Action::kSkipped) {
    spdlog::info("train: run '{}' stopped after stage '{}' (--until-stage); run again to finish",
                 run_id, options.until_stage);
    return summary;
  }
  UPCAMP_RETURN_IF_ERROR(PublishBundle(bundle->output_dir, out_dir));
  summary.published = true;
  summary.bundle_dir = out_dir;

  UPCAMP_ASSIGN_OR_RETURN(nlohmann::json m,
                          ReadJsonFile((fs::path(bundle->output_dir) / kManifestName).string()));
  if (!options.validation_out.empty() && !m.at("validation").is_null()) {
    const flow::StageOutcome* fit = flow_summary.Find("fit");
    UcolReadOptions read;
    read.threads = ctx.threads;
    UPCAMP_ASSIGN_OR_RETURN(Table held_out,
                            ReadUcol((fs::path(fit->output_dir) / kScoresFile).string(), read));
    UPCAMP_RETURN_IF_ERROR(WriteTableFile(held_out, options.validation_out, ctx));
  }
  summary.model_type = m.at("model").at("type").get<std::string>();
  summary.rows = m.at("training_data").at("rows").get<int64_t>();
  summary.train_rows = m.at("training_data").at("model_rows").get<int64_t>();
  if (!m.at("validation").is_null()) {
    summary.validation_rows = m.at("validation").at("rows").get<int64_t>();
    summary.validation = m.at("validation").at("metrics");
  }
  summary.threshold = m.at("threshold").at("value").get<double>();
  summary.threshold_rule = m.at("threshold").at("rule").get<std::string>();
  summary.feature_columns = m.at("features").at("columns").get<std::vector<std::string>>();
  summary.report_path = (fs::path(out_dir) / kReportFile).string();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info(
      "train: {} on {} rows ({} features) -> {} ({:.1f} s; run '{}': {} of {} stages "
      "restored)",
      summary.model_type, summary.train_rows, summary.feature_columns.size(), out_dir, secs, run_id,
      flow_summary.Count(flow::StageOutcome::Action::kRestored), flow_summary.stages.size());
  return summary;
}

Result<TrainSummary> TrainFromConfigFile(const std::string& config_path, const std::string& out_dir,
                                         const TrainOptions& options, const Context& ctx) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::LoadFile(config_path));
  const std::string base_dir = fs::path(config_path).parent_path().string();
  return Train(root, base_dir.empty() ? "." : base_dir, out_dir, options, ctx);
}

}  // namespace upcamp::pipeline
