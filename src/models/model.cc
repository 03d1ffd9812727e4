#include "models/model.h"

#include <fmt/ranges.h>

namespace upcamp::models {

FeatureMatrix::FeatureMatrix(std::vector<std::string> names, int64_t rows)
    : names_(std::move(names)),
      rows_(rows),
      values_(names_.size() * static_cast<size_t>(rows), kNullFloat64) {}

Result<FeatureMatrix> FeatureMatrix::FromTable(const Table& table,
                                               const std::vector<std::string>& names,
                                               std::string_view what) {
  std::vector<std::string> missing;
  std::vector<std::string> strings;
  for (const auto& name : names) {
    const Column* column = table.FindColumn(name);
    if (!column) {
      missing.push_back(name);
    } else if (column->type() == DataType::kString) {
      strings.push_back(name);
    }
  }
  if (!missing.empty()) {
    return Status::Data("{}: missing feature column(s): {}", what, fmt::join(missing, ", "));
  }
  if (!strings.empty()) {
    return Status::Data(
        "{}: feature column(s) {} hold text; encode them first (e.g. the one_hot_encode or "
        "loo_mean_target_encoder transform) or leave them out of the features",
        what, fmt::join(strings, ", "));
  }
  const auto rows = static_cast<int64_t>(table.num_rows());
  FeatureMatrix matrix(names, rows);
  for (int j = 0; j < matrix.cols(); ++j) {
    const Column& column = *table.FindColumn(names[static_cast<size_t>(j)]);
    std::span<double> out = matrix.mutable_column(j);
    switch (column.type()) {
      case DataType::kFloat64: {
        auto in = column.float64s();
        std::copy(in.begin(), in.end(), out.begin());
        break;
      }
      case DataType::kInt64:
      case DataType::kTimestamp: {
        auto in = column.int64s();
        for (size_t i = 0; i < in.size(); ++i) {
          out[i] = in[i] == kNullInt64 ? kNullFloat64 : static_cast<double>(in[i]);
        }
        break;
      }
      case DataType::kBool: {
        auto in = column.bools();
        for (size_t i = 0; i < in.size(); ++i) {
          out[i] = in[i] == kNullBool ? kNullFloat64 : static_cast<double>(in[i]);
        }
        break;
      }
      case DataType::kString: break;  // rejected above
    }
  }
  return matrix;
}

FeatureMatrix FeatureMatrix::TakeRows(std::span<const int64_t> rows) const {
  FeatureMatrix out(names_, static_cast<int64_t>(rows.size()));
  for (int j = 0; j < cols(); ++j) {
    std::span<const double> in = column(j);
    std::span<double> dst = out.mutable_column(j);
    for (size_t i = 0; i < rows.size(); ++i) dst[i] = in[static_cast<size_t>(rows[i])];
  }
  return out;
}

}  // namespace upcamp::models
