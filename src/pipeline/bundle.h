#pragma once
// The model bundle (PRODUCT.md §4): a directory holding everything needed to score clients the
// way the model was trained — manifest.json plus model files in open formats.
//
// manifest.json (format_version 1):
//   format, format_version, tool_version, created (UTC; SOURCE_DATE_EPOCH if set, for
//   byte-reproducible bundles), seed,
//   model:     {type, config (the full model node), state (what Load needs), importance},
//   features:  {columns (model input order), config (serving calcers: target calcers and
//               date_to removed; null in table mode), transforms (fitted, as JSON),
//               id_column (table mode key column or "client_id")},
//   target:    {how the outcome was defined: calcer, treatment, expression/column, outcome kind},
//   training_data: {fingerprint, rows, n_treatment, n_control, source},
//   validation: the metrics summary (or null), threshold: {value, rule},
//   score_percentiles: 101 values (0..100) of the validation (else training) scores,
//   files: {relative name: sha256} for every other file of the bundle.
// Loading verifies the format version and every file's SHA-256 before anything is used, so a
// truncated, edited or mixed-up bundle is refused with the file named.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "features/calcer.h"
#include "features/transform.h"
#include "models/model.h"

namespace upcamp::pipeline {

inline constexpr const char* kBundleFormat = "upcamp-model-bundle";
inline constexpr int kBundleFormatVersion = 1;
inline constexpr const char* kManifestName = "manifest.json";

/// A loaded, verified bundle, ready to score.
struct Bundle {
  std::string dir;
  nlohmann::json manifest;
  /// SHA-256 of manifest.json: identifies the bundle (the manifest holds every file's digest).
  std::string checksum;
  std::unique_ptr<models::UpliftModel> model;
  FittedTransforms transforms;
  std::vector<std::string> feature_columns;
  /// Serving feature config (catalog mode); empty in table mode.
  std::vector<std::unique_ptr<Calcer>> calcers;
  bool catalog_mode = false;
  std::string id_column;
  std::optional<double> threshold;
};

/// Loads and verifies a bundle directory. Every problem (missing dir or manifest, unknown
/// format, newer format version, checksum mismatch, unreadable model) is a data error naming the
/// file and saying what to do.
Result<Bundle> LoadBundle(const std::string& dir);

/// Completes a bundle folder `dir` that already holds the bundle's other files (model files,
/// report.html, ...; `files` are their names relative to `dir`): fills manifest["files"] with
/// their SHA-256 and writes manifest.json (atomically, last).
Status WriteBundleManifest(const std::string& dir, nlohmann::json manifest,
                           const std::vector<std::string>& files);

/// Publishes the complete bundle folder `source` (e.g. the output of a finished training stage)
/// as `dir`: copies its files into a temp folder beside `dir`, fsyncs, then swaps it into place
/// atomically (renameat2 RENAME_EXCHANGE), so `dir` is always a complete bundle. An existing
/// `dir` is replaced only if it is a bundle (has a manifest.json) or empty; the old one is
/// deleted after the swap. `source` is left as it is.
Status PublishBundle(const std::string& source, const std::string& dir);

/// "2026-11-28T18:57:32Z" — now, or SOURCE_DATE_EPOCH when set.
std::string CreatedTimestamp();

}  // namespace upcamp::pipeline
