#pragma once
// Uplift models (PRODUCT.md §4): one interface, one explicit registry (models/registry.h).
//
// A model is built from the `model:` node of a training config, e.g.
//   {type: t_learner, base: {type: xgboost, params: {max_depth: 4, eta: 0.1, num_rounds: 200}}}
//   {type: uplift_forest, params: {n_trees: 100, max_depth: 6, criterion: KL, ...}}
// validated strictly (unknown keys are config errors naming the key and line). It is fitted on a
// dense feature matrix with a binary treatment and a binary or continuous outcome, predicts the
// uplift E[y | t=1, x] - E[y | t=0, x] per row, and saves itself as files in open formats (XGBoost
// JSON, forest JSON) plus a small JSON state that the bundle keeps in its manifest.
//
// Determinism contract (tested for every registered model): the same data, config and seed give
// identical predictions for any Context::threads, and after Save -> Load.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/context.h"
#include "core/status.h"
#include "data/table.h"

namespace upcamp::models {

/// Dense float64 feature matrix, column-major, NaN = missing. Column j is contiguous, so
/// column-wise work (binning, histogram building) streams memory; row-major copies for XGBoost
/// are made by the XGBoost wrapper.
class FeatureMatrix {
 public:
  FeatureMatrix() = default;
  FeatureMatrix(std::vector<std::string> names, int64_t rows);

  /// Copies the named columns of `table` in the given order. int64/float64/bool/timestamp
  /// (seconds) become doubles, missing values NaN; a string column or a missing name is a data
  /// error naming the column(s) (`what` names the table in messages).
  static Result<FeatureMatrix> FromTable(const Table& table, const std::vector<std::string>& names,
                                         std::string_view what = "table");

  int64_t rows() const { return rows_; }
  int cols() const { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }

  std::span<const double> column(int j) const {
    return {values_.data() + static_cast<size_t>(j) * static_cast<size_t>(rows_),
            static_cast<size_t>(rows_)};
  }
  std::span<double> mutable_column(int j) {
    return {values_.data() + static_cast<size_t>(j) * static_cast<size_t>(rows_),
            static_cast<size_t>(rows_)};
  }
  double at(int64_t row, int col) const {
    return values_[static_cast<size_t>(col) * static_cast<size_t>(rows_) +
                   static_cast<size_t>(row)];
  }

  /// The given rows, in the given order (validation splits, folds, bootstrap samples).
  FeatureMatrix TakeRows(std::span<const int64_t> rows) const;

 private:
  std::vector<std::string> names_;
  int64_t rows_ = 0;
  std::vector<double> values_;  // column-major: values_[col * rows_ + row]
};

enum class OutcomeKind { kBinary, kContinuous };

/// Training rows: the features, treatment (1 = treated, 0 = control) and outcome per row. Binary
/// outcomes are 0/1 doubles. Both groups must be present (the trainer checks before fitting).
struct TrainingData {
  const FeatureMatrix* x = nullptr;
  std::span<const uint8_t> treatment;
  std::span<const double> outcome;
  OutcomeKind outcome_kind = OutcomeKind::kBinary;
};

/// What Save() produced: model files (paths relative to the bundle dir, for the manifest's
/// checksums) and a JSON state (everything besides the files that Load needs).
struct SavedModel {
  std::vector<std::string> files;
  nlohmann::json state = nlohmann::json::object();
};

class UpliftModel {
 public:
  virtual ~UpliftModel() = default;

  /// Registry name ("t_learner", "uplift_forest", ...).
  virtual const std::string& type() const = 0;
  /// The full `model:` node with every default filled in; MakeModel() on it gives an identical
  /// model. Written to the bundle manifest.
  virtual nlohmann::json config() const = 0;

  /// Fits on `data`. ctx.seed seeds every random choice (subsampling, bootstrap, feature
  /// subsets); ctx.threads must not change the result.
  virtual Status Fit(const TrainingData& data, const Context& ctx) = 0;

  /// Predicted uplift per row of `x`, whose columns must be the training columns in order
  /// (the bundle checks names before calling). Error if not fitted.
  virtual Result<std::vector<double>> Predict(const FeatureMatrix& x, const Context& ctx) const = 0;

  /// Importance per training column (same order), normalized to sum 1; all zeros if the model
  /// has none to report.
  virtual std::vector<double> FeatureImportance() const = 0;

  /// Writes the model files into `dir` (which exists; file names are the model's choice, e.g.
  /// "model_treated.json") atomically, and returns them with the state.
  virtual Result<SavedModel> Save(const std::filesystem::path& dir) const = 0;
  /// Restores a model saved by Save() into `dir` (files and state from the manifest). Corrupt or
  /// mismatched content is a data error naming the file.
  virtual Status Load(const std::filesystem::path& dir, const nlohmann::json& state) = 0;
};

}  // namespace upcamp::models
