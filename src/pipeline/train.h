#pragma once
// `upcamp train` (INTERFACE.md, training config): builds the training table (catalog + feature
// library as of date_to, or a ready table), defines the treatment and the outcome, splits off a
// validation part (seeded), fits the transforms on the training part only, fits the model,
// evaluates it on the validation part, suggests an offer threshold and writes a model bundle
// with its one-page report (report.html).
//
// It runs as a flow-engine run (flow/run.h) whose stages persist under the runs folder and resume
// after any crash:
//
//   features  (catalog mode only) the feature and target calcers as of date_to -> table.ucol
//   fit       training table, validation split and models, transforms, the shipped model
//             -> model/, fit.json, scores.ucol (validation or training scores)
//   bundle    validation metrics (bootstrap intervals), threshold, score percentiles,
//             report.html, manifest.json: the complete bundle folder
//
// after which the bundle stage's folder is published to the output folder atomically.
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
  /// The training run (flow/run.h) and what happened to each of its stages: name, action
  /// (restored / computed / skipped), rows, seconds, reason.
  std::string run_id;
  std::string runs_dir;  ///< empty: the run lived in a temporary folder, removed afterwards
  nlohmann::json stages = nlohmann::json::array();
  /// The bundle was written to the output folder (false when the run stopped early).
  bool published = false;
  std::string report_path;
};

struct TrainOptions {
  /// Overrides the config's data.date_to (catalog mode) when set, as YYYY-MM-DD.
  std::string date_to;
  /// When set: writes the held-out rows (key, treatment, outcome, score) to this table file, for
  /// comparing the model with other scores (e.g. the true uplift of synthetic data) on the
  /// same rows.
  std::string validation_out;
  /// Where the training run's stages persist (`<runs_dir>/<run_id>/stages/`), so a stopped
  /// training resumes and an unchanged one is restored. Empty: a temporary runs folder beside
  /// the bundle, removed afterwards (every stage computed).
  std::string runs_dir;
  /// The run id; empty: DefaultTrainRunId(out_dir).
  std::string run_id;
  /// Recompute this stage and everything after it / stop after this stage (flow/run.h).
  std::string force_stage;
  std::string until_stage;
};

/// The stages of a training run, in order: features (catalog mode only), fit, bundle.
const std::vector<std::string>& TrainStageNames(bool catalog_mode);

/// The default run id of a training that writes `out_dir`: "train-<folder name>-<8 hex digits of
/// the hash of its absolute path>", e.g. "train-exp300-1f0c93ab". So re-running the same command
/// (same --out) resumes or restores the same run whatever the config, and a changed config
/// recomputes only the stages it affects.
std::string DefaultTrainRunId(const std::string& out_dir);

/// Runs a training config file end to end and writes the bundle to `out_dir`. The config is
/// fully validated (unknown keys, model, transforms, calcers, expression) before any data is read.
Result<TrainSummary> TrainFromConfigFile(const std::string& config_path, const std::string& out_dir,
                                         const TrainOptions& options, const Context& ctx);

/// The same from a parsed config; relative paths resolve against `base_dir`.
Result<TrainSummary> Train(const ConfigNode& config, const std::string& base_dir,
                           const std::string& out_dir, const TrainOptions& options,
                           const Context& ctx);

}  // namespace upcamp::pipeline
