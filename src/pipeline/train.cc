#include "pipeline/train.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/civil_time.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/version.h"
#include "data/catalog.h"
#include "data/table_io.h"
#include "features/engine.h"
#include "features/expression.h"
#include "features/registry.h"
#include "features/transform_registry.h"
#include "metrics/bootstrap.h"
#include "metrics/summary.h"
#include "models/registry.h"
#include "pipeline/bundle.h"

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
    return target.Error("give exactly one of 'expression' (e.g. \"target_purchases_sum\") or "
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
  c.target_json = {{"calcer", CalcerToJson(*c.target_calcer)},
                   {"treatment", c.treatment_column}};
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
        return features->Error("'{}' is a target calcer: put it under data.target.calcer, not "
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
    return data.Error("give either 'catalog' (with date_to, features, target) or 'table' (with "
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
    return node->Error("give exactly one of percentile (0..100), score (a value) or profit "
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
  Table table;                   // features (raw, before transforms) + the outcome column
  std::vector<std::string> keys; // client ids (or row numbers) for the seeded split
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

Result<TrainingTable> LoadCatalogTable(const TrainConfig& c, const Context& ctx) {
  TrainingTable out;
  UPCAMP_ASSIGN_OR_RETURN(Catalog catalog, Catalog::Load(c.catalog_path));
  std::vector<std::unique_ptr<Calcer>> all;
  for (const auto& calcer : c.calcers) {
    UPCAMP_ASSIGN_OR_RETURN(auto copy, MakeCalcer(ConfigNode::FromJson(CalcerToJson(*calcer),
                                                                       "<feature config>")));
    all.push_back(std::move(copy));
  }
  UPCAMP_ASSIGN_OR_RETURN(auto target_copy,
                          MakeCalcer(ConfigNode::FromJson(CalcerToJson(*c.target_calcer),
                                                          "<target calcer>")));
  const Schema target_schema = target_copy->OutputSchema();
  all.push_back(std::move(target_copy));
  for (const auto& calcer : c.calcers) {
    for (const auto& field : calcer->OutputSchema()) out.base_features.push_back(field.name);
  }
  ExtractOptions options;
  options.params.date_to = c.date_to;
  CatalogSource source(catalog);
  UPCAMP_ASSIGN_OR_RETURN(Table raw, ExtractFeatures(all, source, options, ctx));
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
  for (const auto& field : target_schema) raw.RemoveColumn(field.name);
  if (raw.FindColumn(kOutcomeColumn)) {
    return Status::Config("a feature column is named '{}', which is reserved for the outcome",
                          kOutcomeColumn);
  }
  const auto keys = RowKeys(raw, "client_id");
  UPCAMP_RETURN_IF_ERROR(
      FinishTrainingTable(std::move(raw), keys, std::move(treatment), std::move(outcome), out));
  out.source = fmt::format("catalog {} as of {}", c.catalog_path, c.date_to_text);
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
      if (code < 0) return Status::Data("{}: row {}: empty id '{}'", c.table_path, i + 1,
                                        c.id_column);
      if (seen[static_cast<size_t>(code)]++) {
        return Status::Data("{}: row {}: duplicate id '{}' in column '{}'", c.table_path, i + 1,
                            id->dictionary().Get(code), c.id_column);
      }
    }
  }
  UPCAMP_ASSIGN_OR_RETURN(const Column* treatment_column,
                          raw.GetColumn(c.treatment_column, c.table_path));
  UPCAMP_ASSIGN_OR_RETURN(auto treatment, TreatmentValues(*treatment_column, c.table_path));
  UPCAMP_ASSIGN_OR_RETURN(const Column* target_column, raw.GetColumn(c.target_column, c.table_path));
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
                        std::span<const int64_t> rows, uint64_t model_seed,
                        const Context& ctx) {
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
    case ThresholdRule::kPercentile: return fmt::format("percentile {}", c.threshold_value);
    case ThresholdRule::kScore: return fmt::format("score {}", c.threshold_value);
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
    case ThresholdRule::kScore: return c.threshold_value;
    // Scores are predicted uplift in outcome units: one offer's expected incremental profit is
    // value * score - cost, negative below score = cost / value.
    case ThresholdRule::kProfit: return c.threshold_value / c.profit_value;
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

}  // namespace

Result<TrainSummary> Train(const ConfigNode& config, const std::string& base_dir,
                           const std::string& out_dir, const TrainOptions& options,
                           const Context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  UPCAMP_ASSIGN_OR_RETURN(TrainConfig c, ParseConfig(config, base_dir, options));

  TrainingTable data;
  if (c.catalog_mode) {
    UPCAMP_ASSIGN_OR_RETURN(data, LoadCatalogTable(c, ctx));
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
  TrainSummary summary;
  summary.rows = n;
  summary.folds = c.folds;
  std::vector<double> validation_scores;
  std::vector<int64_t> validation_rows;
  if (c.test_fraction > 0 || c.folds > 0) {
    const int parts = c.folds > 0 ? c.folds : 0;
    std::vector<int> part(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t h = KeyedHash(c.seed, "validation", data.keys[static_cast<size_t>(i)]);
      part[static_cast<size_t>(i)] =
          parts > 0 ? static_cast<int>(h % static_cast<uint64_t>(parts))
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
        return Status::Data("{}: the validation split left a part empty ({} rows); use more "
                            "data or another test_fraction/folds",
                            data.source, n);
      }
      if (parts > 0) spdlog::info("train: fold {}/{} ({} rows held out)", r + 1, parts,
                                  held_rows.size());
      UPCAMP_ASSIGN_OR_RETURN(FitResult fit,
                              FitOn(c, data, fit_rows, MixSeed(c.seed, 1000 + r), ctx));
      UPCAMP_ASSIGN_OR_RETURN(auto scores, PredictOn(fit, data, held_rows, ctx));
      for (size_t i = 0; i < held_rows.size(); ++i) {
        oof[static_cast<size_t>(held_rows[i])] = scores[i];
      }
    }
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isnan(oof[static_cast<size_t>(i)])) validation_rows.push_back(i);
    }
    std::vector<uint8_t> vt;
    std::vector<double> vy;
    for (int64_t i : validation_rows) {
      validation_scores.push_back(oof[static_cast<size_t>(i)]);
      vt.push_back(data.treatment[static_cast<size_t>(i)]);
      vy.push_back(data.outcome[static_cast<size_t>(i)]);
    }
    if (!options.validation_out.empty()) {
      std::vector<std::optional<std::string>> keys;
      std::vector<int64_t> treatment_values;
      for (int64_t i : validation_rows) {
        keys.emplace_back(data.keys[static_cast<size_t>(i)]);
        treatment_values.push_back(data.treatment[static_cast<size_t>(i)]);
      }
      UPCAMP_ASSIGN_OR_RETURN(
          Table held_out,
          Table::Make({Column::StringFromValues(KeyColumnName(c), keys),
                       Column::Int64("treatment", std::move(treatment_values)),
                       Column::Float64("outcome", vy), Column::Float64("score", validation_scores)}));
      UPCAMP_RETURN_IF_ERROR(WriteTableFile(held_out, options.validation_out, ctx));
    }
    metrics::SummaryOptions mo;
    auto validation = metrics::MetricsSummary(validation_scores, vt, vy, mo, ctx);
    if (!validation.ok()) {
      return Status::Data("validation metrics: {}", validation.status().message());
    }
    summary.validation = std::move(validation).value();
  }

  // The bundle's model: fitted on every row (with validation, on the training part only when a
  // single test split is used, so the reported metrics describe the shipped model).
  std::vector<int64_t> final_rows;
  if (c.test_fraction > 0) {
    std::vector<uint8_t> held(static_cast<size_t>(n), 0);
    for (int64_t i : validation_rows) held[static_cast<size_t>(i)] = 1;
    for (int64_t i = 0; i < n; ++i) {
      if (!held[static_cast<size_t>(i)]) final_rows.push_back(i);
    }
  } else {
    final_rows.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) final_rows[static_cast<size_t>(i)] = i;
  }
  UPCAMP_ASSIGN_OR_RETURN(FitResult final_fit,
                          FitOn(c, data, final_rows,
                                MixSeed(c.seed, c.test_fraction > 0 ? 1001 : 1), ctx));
  if (!final_fit.skipped.empty()) {
    spdlog::info("train: not used as model inputs (text or timestamp): {}",
                 fmt::join(final_fit.skipped, ", "));
  }
  std::vector<double> reference_scores = validation_scores;
  if (reference_scores.empty()) {
    spdlog::warn("train: no validation configured; the threshold and score percentiles come from "
                 "the training rows (optimistic)");
    UPCAMP_ASSIGN_OR_RETURN(reference_scores, PredictOn(final_fit, data, final_rows, ctx));
  }
  summary.threshold = ThresholdFrom(c, reference_scores);
  summary.threshold_rule = RuleText(c);
  summary.model_type = final_fit.model->type();
  summary.train_rows = static_cast<int64_t>(final_rows.size());
  summary.validation_rows = static_cast<int64_t>(validation_rows.size());
  summary.feature_columns = final_fit.columns;
  summary.bundle_dir = out_dir;

  nlohmann::json importance = nlohmann::json::object();
  const auto weights = final_fit.model->FeatureImportance();
  for (size_t j = 0; j < final_fit.columns.size() && j < weights.size(); ++j) {
    importance[final_fit.columns[j]] = weights[j];
  }
  nlohmann::json serving = nlohmann::json();
  if (c.catalog_mode) {
    serving = nlohmann::json::array();
    for (const auto& calcer : c.calcers) serving.push_back(CalcerToJson(*calcer));
  }
  nlohmann::json target = c.target_json;
  target["outcome"] = binary ? "binary" : "continuous";
  nlohmann::json manifest = {
      {"format", kBundleFormat},
      {"format_version", kBundleFormatVersion},
      {"tool_version", kVersion},
      {"created", CreatedTimestamp()},
      {"seed", c.seed},
      {"model",
       {{"type", final_fit.model->type()},
        {"config", final_fit.model->config()},
        {"importance", importance}}},
      {"features",
       {{"columns", final_fit.columns},
        {"config", serving},
        {"transforms", FittedTransformsToJson(final_fit.transforms)},
        {"id_column", c.catalog_mode ? std::string("client_id") : c.id_column}}},
      {"target", target},
      {"training_data",
       {{"fingerprint", Hex64(Fingerprint(data))},
        {"rows", n},
        {"n_treatment", treated},
        {"n_control", n - treated},
        {"model_rows", final_rows.size()},
        {"source", data.source},
        {"date_to", c.catalog_mode ? nlohmann::json(c.date_to_text) : nlohmann::json()}}},
      {"validation",
       summary.validation.is_null()
           ? nlohmann::json()
           : nlohmann::json{{"method", c.folds > 0 ? fmt::format("{} folds", c.folds)
                                                   : fmt::format("test_fraction {}",
                                                                 c.test_fraction)},
                            {"rows", validation_rows.size()},
                            {"metrics", summary.validation}}},
      {"threshold", {{"value", summary.threshold}, {"rule", summary.threshold_rule}}},
      {"score_percentiles", Percentiles(reference_scores)},
  };

  std::vector<ExtraFile> extra;
  UPCAMP_RETURN_IF_ERROR(WriteBundle(out_dir, std::move(manifest), *final_fit.model, extra));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("train: {} on {} rows ({} features) -> {} ({:.1f} s)", summary.model_type,
               summary.train_rows, summary.feature_columns.size(), out_dir, secs);
  return summary;
}

Result<TrainSummary> TrainFromConfigFile(const std::string& config_path, const std::string& out_dir,
                                         const TrainOptions& options, const Context& ctx) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::LoadFile(config_path));
  const std::string base_dir = fs::path(config_path).parent_path().string();
  return Train(root, base_dir.empty() ? "." : base_dir, out_dir, options, ctx);
}

}  // namespace upcamp::pipeline
