#include "pipeline/score.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "features/engine.h"

namespace upcamp::pipeline {

Result<Table> ExtractServingFeatures(const Bundle& bundle, const Catalog& catalog, int64_t date_to,
                                     std::optional<std::vector<std::string>> clients,
                                     const Context& ctx) {
  if (!bundle.catalog_mode) {
    return Status::Usage(
        "{}: this model was trained on a ready table, so it has no feature config; score it "
        "with --table FILE holding the columns {}",
        bundle.dir, fmt::join(bundle.feature_columns, ", "));
  }
  ExtractOptions options;
  options.params.date_to = date_to;
  options.clients = std::move(clients);
  CatalogSource source(catalog);
  return ExtractFeatures(bundle.calcers, source, options, ctx);
}

Result<std::vector<double>> ScoreFeatureTable(const Bundle& bundle, Table features,
                                              const std::string& what, const Context& ctx) {
  const auto names = features.ColumnNames();
  const auto missing_inputs = MissingColumns(bundle.transforms, names);
  if (!missing_inputs.empty()) {
    return Status::Data("{}: lacks column(s) the model's transforms read: {}", what,
                        fmt::join(missing_inputs, ", "));
  }
  UPCAMP_RETURN_IF_ERROR(ApplyTransforms(bundle.transforms, features));
  std::vector<std::string> missing;
  for (const auto& name : bundle.feature_columns) {
    if (!features.FindColumn(name)) missing.push_back(name);
  }
  if (!missing.empty()) {
    const std::set<std::string> expected(bundle.feature_columns.begin(),
                                         bundle.feature_columns.end());
    const auto produced = ProducedColumns(bundle.transforms);
    std::vector<std::string> extra;
    for (const auto& name : features.ColumnNames()) {
      if (!expected.count(name) && name != bundle.id_column &&
          std::find(produced.begin(), produced.end(), name) == produced.end()) {
        extra.push_back(name);
      }
    }
    return Status::Data(
        "{}: does not match the model {}: missing feature column(s): {}{}", what, bundle.dir,
        fmt::join(missing, ", "),
        extra.empty() ? std::string()
                      : fmt::format(" (columns the model does not know: {})", fmt::join(extra, ", ")));
  }
  UPCAMP_ASSIGN_OR_RETURN(auto x,
                          models::FeatureMatrix::FromTable(features, bundle.feature_columns, what));
  return bundle.model->Predict(x, ctx);
}

}  // namespace upcamp::pipeline
