#pragma once
// `upcamp train` (INTERFACE.md, training config): builds the training table (catalog + feature
// library as of date_to, or a ready table), defines the treatment and the outcome, splits off a
// validation part (seeded), fits the transforms on the training part only, fits the model,
// evaluates it on the validation part, suggests an offer threshold and writes a model bundle.
//
// Paths inside the config (catalog, table) are relative to the config file's folder.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/context.h"
#include "core/status.h"

namespace upcamp::pipeline {

struct TrainSummary {
  std::string bundle_dir;
  std::string model_type;
  int64_t rows = 0, train_rows = 0, validation_rows = 0;
  int folds = 0;
  /// The validation metrics summary (metrics/summary.h), null without validation.
  nlohmann::json validation;
  double threshold = 0;
  std::string threshold_rule;
  std::vector<std::string> feature_columns;
};

struct TrainOptions {
  /// Overrides the config's data.date_to (catalog mode) when set, as YYYY-MM-DD.
  std::string date_to;
  /// When set: writes the held-out rows (key, treatment, outcome, score) to this table file, for
  /// comparing the model with other scores (e.g. the true uplift of synthetic data) on the
  /// same rows.
  std::string validation_out;
};

/// Runs a training config file end to end and writes the bundle to `out_dir`. The config is
/// fully validated (unknown keys, model, transforms, calcers, expression) before any data is read.
Result<TrainSummary> TrainFromConfigFile(const std::string& config_path, const std::string& out_dir,
                                         const TrainOptions& options, const Context& ctx);

/// The same from a parsed config; relative paths resolve against `base_dir`.
Result<TrainSummary> Train(const ConfigNode& config, const std::string& base_dir,
                           const std::string& out_dir, const TrainOptions& options,
                           const Context& ctx);

}  // namespace upcamp::pipeline
