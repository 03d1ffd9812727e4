#pragma once
// Scoring with a model bundle: the same feature code and fitted transforms as at training, then
// the model. Used by `upcamp score` and by the campaign's scoring stage.

#include <optional>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "data/catalog.h"
#include "data/table.h"
#include "pipeline/bundle.h"

namespace upcamp::pipeline {

/// Runs the bundle's serving feature config over `catalog` as of `date_to` (midnight timestamp);
/// `clients` restricts and orders the rows (else every client the calcers see). Error if the
/// bundle was trained on a ready table (it has no feature config).
Result<Table> ExtractServingFeatures(const Bundle& bundle, const Catalog& catalog, int64_t date_to,
                                     std::optional<std::vector<std::string>> clients,
                                     const Context& ctx);

/// Applies the bundle's fitted transforms to `features` (scoring mode) and predicts the uplift of
/// every row, in row order. A table lacking columns the bundle needs is refused with the missing
/// names (and the extra ones, which often show a renamed column); `what` names the table.
Result<std::vector<double>> ScoreFeatureTable(const Bundle& bundle, Table features,
                                              const std::string& what, const Context& ctx);

}  // namespace upcamp::pipeline
