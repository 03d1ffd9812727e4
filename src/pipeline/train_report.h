#pragma once
// The one-page training report of `upcamp train` (report.html in the bundle): what was trained on
// what, the validation metrics (with their bootstrap intervals), Qini and uplift curves against
// random and perfect, uplift by decile and feature importance — the bundle manifest's numbers and
// the held-out scores handed to report::BuildTrainingReport (plain numbers).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "core/status.h"

namespace upcamp::pipeline {

/// Scores with their treatment and outcome, one entry per row.
struct ScoredRows {
  std::span<const double> score;
  std::span<const uint8_t> treatment;
  std::span<const double> outcome;
};

/// The report's HTML from a bundle manifest (everything but "files") and the validation scores
/// (held-out or out-of-fold). `validation` null: the training had no validation; the report says
/// so in place of the metrics and curves and still shows the summary and feature importance.
/// Deterministic: the bytes depend only on the arguments (no clock, no paths but the manifest's).
Result<std::string> TrainingReportHtml(const nlohmann::json& manifest,
                                       const ScoredRows* validation);

}  // namespace upcamp::pipeline
